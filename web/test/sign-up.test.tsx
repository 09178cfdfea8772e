import { render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it, vi } from "vitest";
import { NoticesProvider } from "../src/app/notices";
import { SignUpPage, validateSignUp } from "../src/auth/AuthPages";

describe("sign-up validation", () => {
  it("names each problem in the words of the UI contract", () => {
    expect(validateSignUp(" ", "not-an-email", "short")).toEqual({
      name: "Enter your name",
      email: "Enter a valid email address",
      password: "Password must be at least 8 characters",
    });
    expect(validateSignUp("Ada", "ada@example.com", "12345678")).toEqual({});
  });

  it("shows the messages on submit, tied to their fields, and sends nothing", async () => {
    const fetchSpy = vi.spyOn(globalThis, "fetch");
    render(
      <NoticesProvider>
        <SignUpPage onSignedIn={() => {}} />
      </NoticesProvider>,
    );
    const password = screen.getByLabelText("Password");
    // The rule is on the page before any submit.
    expect(document.getElementById(password.getAttribute("aria-describedby")!)!.textContent).toContain("At least 8 characters");
    await userEvent.type(screen.getByLabelText("Email"), "ada@example");
    await userEvent.type(password, "1234567");
    await userEvent.click(screen.getByRole("button", { name: "Create account" }));
    for (const [label, message] of [
      ["Name", "Enter your name"],
      ["Email", "Enter a valid email address"],
      ["Password", "Password must be at least 8 characters"],
    ] as const) {
      const field = screen.getByLabelText(label);
      expect(field.getAttribute("aria-invalid"), label).toBe("true");
      const described = field
        .getAttribute("aria-describedby")!
        .split(" ")
        .map((id) => document.getElementById(id)!.textContent);
      expect(described, label).toContain(message);
    }
    expect(screen.getByLabelText<HTMLInputElement>("Email").value).toBe("ada@example");
    expect(fetchSpy).not.toHaveBeenCalled();
    fetchSpy.mockRestore();
  });

  it("refuses a blank password, and counts an emoji as one character", () => {
    expect(validateSignUp("Ada", "ada@example.com", "        ").password).toBe("Password must not be only spaces");
    expect(validateSignUp("Ada", "ada@example.com", "😀😀😀😀").password).toBe("Password must be at least 8 characters");
  });

  it("shows the password's strength while it is typed", async () => {
    render(
      <NoticesProvider>
        <SignUpPage onSignedIn={() => {}} />
      </NoticesProvider>,
    );
    const password = screen.getByLabelText("Password");
    await userEvent.type(password, "password1");
    expect(await screen.findByText(/^Very weak: Password is too easy to guess/)).toBeTruthy();
    expect(screen.getByRole("meter", { name: "Password strength" }).getAttribute("value")).toBe("0");
    await userEvent.clear(password);
    await userEvent.type(password, "violet tractor sings at dawn");
    expect(await screen.findByText("Very strong")).toBeTruthy();
  });
});

import { useNotices } from "./notices";
import { followLink } from "./router";
import "./app-header.css";

const LINKS = [
  { page: "tasks", href: "/", label: "Tasks" },
  { page: "account", href: "/account", label: "Account" },
] as const;

/** The signed-in pages' header: the pages, who is signed in, and signing out. */
export function AppHeader({ user, current, onSignOut }: { user: { name: string }; current: "tasks" | "account"; onSignOut(): Promise<void> }) {
  const { showError } = useNotices();
  return (
    <header className="app-header">
      <div className="app-header-inner">
        <span className="brand">Ticked</span>
        <nav aria-label="Pages" className="app-nav">
          {LINKS.map((link) => (
            <a key={link.page} href={link.href} onClick={followLink} aria-current={link.page === current ? "page" : undefined}>
              {link.label}
            </a>
          ))}
        </nav>
        <span className="user-name">{user.name}</span>
        <button type="button" className="button-quiet button-small" onClick={() => onSignOut().catch(showError)}>
          Sign out
        </button>
      </div>
    </header>
  );
}

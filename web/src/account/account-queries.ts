import { queryOptions } from "@tanstack/react-query";
import { authClient } from "../auth/auth-client";
import { accountRequest } from "./account-client";

// Apart from account-client.ts, which the signed-out reset pages import: the query library loads only after sign-in.
export interface SignedInSession {
  id: string;
  token: string;
  userAgent?: string | null;
  ipAddress?: string | null;
  updatedAt: Date;
}

export const sessionsQuery = () =>
  queryOptions({
    queryKey: ["account", "sessions"],
    queryFn: () => accountRequest<SignedInSession[]>((fetchOptions) => authClient.listSessions({ fetchOptions })),
  });

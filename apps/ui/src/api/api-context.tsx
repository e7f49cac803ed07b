import { createContext, type ReactNode, useContext } from "react";
import type { ApiClient } from "./api-client";
import type { UiConfig } from "./wire-types";

/** What every page needs: the API client and the server's UI configuration. */
export interface ApiContextValue {
  readonly client: ApiClient;
  readonly config: UiConfig;
}

const ApiContext = createContext<ApiContextValue | undefined>(undefined);

/**
 * Makes the client and configuration available to the components below.
 *
 * @param props - `value` and `children`.
 */
export function ApiProvider(props: { value: ApiContextValue; children: ReactNode }) {
  return <ApiContext.Provider value={props.value}>{props.children}</ApiContext.Provider>;
}

/**
 * The API client and UI configuration of the nearest {@link ApiProvider}.
 *
 * @returns the context value.
 * @throws Error when used outside an ApiProvider (a programming error).
 */
export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error("useApi() needs an <ApiProvider> above it");
  return value;
}

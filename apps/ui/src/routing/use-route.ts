import { useCallback, useEffect, useState } from "react";
import { formatRoute, parseRoute, type Route } from "./route";

/**
 * The current route from `location.hash`, kept in step with the back/forward buttons, and a function to
 * go elsewhere. State lives in the URL so that any view can be reloaded or linked.
 *
 * @returns `[route, navigate]`; `navigate(route, {replace: true})` replaces the history entry.
 */
export function useRoute(): [Route, (route: Route, options?: { replace?: boolean }) => void] {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));

  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener("hashchange", onChange);
    window.addEventListener("popstate", onChange);
    return () => {
      window.removeEventListener("hashchange", onChange);
      window.removeEventListener("popstate", onChange);
    };
  }, []);

  const navigate = useCallback((next: Route, options: { replace?: boolean } = {}) => {
    const hash = formatRoute(next);
    if (hash === window.location.hash) return;
    if (options.replace) {
      window.history.replaceState(null, "", hash);
    } else {
      window.history.pushState(null, "", hash);
    }
    setRoute(parseRoute(hash));
  }, []);

  return [route, navigate];
}

import { AsyncLocalStorage } from "node:async_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { CLI_USER_AGENT_PREFIX } from "../../cli/cli-user-agent.js";

// Set only while a request from the tidemark CLI is handled; other requests never enter it, so the
// async context machinery stays off on the hot path until a CLI request arrives.
const cliRequests = new AsyncLocalStorage<true>();

/**
 * Whether the code running now handles a Core REST API request the tidemark CLI made (`User-Agent:
 * tidemark-cli/<version>`), so state store metrics can label it `api="cli"`.
 *
 * @returns true inside such a request's handler.
 */
export function inCliRequest(): boolean {
  return cliRequests.getStore() === true;
}

/**
 * Runs the handlers of every request whose `User-Agent` starts with `tidemark-cli/` inside the CLI
 * request context ({@link inCliRequest}). A `preHandler` hook, after the body is read, so the context
 * covers the handler and everything it awaits. Install it on the root instance before the APIs register.
 *
 * @param app - the root Fastify instance.
 */
export function installCliRequestContext(app: FastifyInstance): void {
  app.addHook(
    "preHandler",
    (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const agent = request.headers["user-agent"];
      if (agent?.startsWith(CLI_USER_AGENT_PREFIX) === true) cliRequests.run(true, done);
      else done();
    },
  );
}

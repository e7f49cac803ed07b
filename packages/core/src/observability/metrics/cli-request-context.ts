import { AsyncLocalStorage } from "node:async_hooks";
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction } from "fastify";
import { CLI_USER_AGENT_PREFIX } from "../../cli/cli-user-agent.js";

// Set only while a request from the tidemark CLI is handled; other requests never enter it. On Node 20 an
// AsyncLocalStorage that has run once keeps promise hooks on for the whole process (a cost on every
// request), so it is disabled again whenever no CLI request is in flight.
const cliRequests = new AsyncLocalStorage<true>();
let inFlight = 0;
const CLI_REQUEST = Symbol("tidemark.cliRequest");

function finished(request: FastifyRequest): void {
  const marked = request as FastifyRequest & { [CLI_REQUEST]?: boolean };
  if (marked[CLI_REQUEST] !== true) return;
  marked[CLI_REQUEST] = false;
  inFlight--;
  if (inFlight === 0) cliRequests.disable();
}

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
 * covers the handler and everything it awaits; the context is switched off again once no such request is in
 * flight. Install it on the root instance before the APIs register.
 *
 * @param app - the root Fastify instance.
 */
export function installCliRequestContext(app: FastifyInstance): void {
  app.addHook(
    "preHandler",
    (request: FastifyRequest, _reply: FastifyReply, done: HookHandlerDoneFunction) => {
      const agent = request.headers["user-agent"];
      if (agent?.startsWith(CLI_USER_AGENT_PREFIX) !== true) {
        done();
        return;
      }
      (request as FastifyRequest & { [CLI_REQUEST]?: boolean })[CLI_REQUEST] = true;
      inFlight++;
      cliRequests.run(true, done);
    },
  );
  app.addHook("onResponse", (request, _reply, done) => {
    finished(request);
    done();
  });
  app.addHook("onRequestAbort", (request, done) => {
    finished(request);
    done();
  });
}

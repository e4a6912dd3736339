const express = require("express");
const errorhandler = require("errorhandler");
const { ApolloServer } = require("@apollo/server");

// ruleid: js-graphql-stacktrace-in-errors
const server = new ApolloServer({ typeDefs, resolvers, includeStacktraceInErrorResponses: true });
// ok: js-graphql-stacktrace-in-errors
const serverProd = new ApolloServer({ typeDefs, resolvers, includeStacktraceInErrorResponses: false });
// ruleid: js-graphql-stacktrace-in-errors
const gqlModule = GraphQLModule.forRoot({ driver: ApolloDriver, debug: true });

const app = express();
// ruleid: js-express-errorhandler-unconditional
app.use(errorhandler());

if (process.env.NODE_ENV === "development") {
  // ok: js-express-errorhandler-unconditional
  app.use(errorhandler({ log: true }));
}

function verboseErrors(err, req, res, next) {
  // ruleid: js-error-details-in-response
  res.status(500).json({ message: err.message, stack: err.stack });
}

function dumpEnv(err, req, res, next) {
  // ruleid: js-error-details-in-response
  res.json({ error: err.message, env: process.env });
}

function rawStack(err, req, res, next) {
  // ruleid: js-error-details-in-response
  res.status(500).send(err.stack);
}

function publicErrors(err, req, res, next) {
  logger.error(err.stack);
  // ok: js-error-details-in-response
  res.status(500).json({ error: "internal error" });
}

function devOnly(err, req, res, next) {
  // ok: js-error-details-in-response
  res.status(500).json({ error: err.message, stack: process.env.NODE_ENV === "development" ? err.stack : undefined });
}

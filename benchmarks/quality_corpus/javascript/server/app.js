'use strict';

const express = require('express');
const helmet = require('helmet');
const errorhandler = require('errorhandler');
const { ApolloServer } = require('@apollo/server');
const { expressMiddleware } = require('@apollo/server/express4');
const { typeDefs, resolvers } = require('./graphql');
const ordersRouter = require('../orders/ordersRouter');
const downloads = require('../files/downloads');

async function createApp() {
  const app = express();
  app.use(helmet());
  app.use(express.json());
  app.use(ordersRouter);
  app.use(downloads);

  const gql = new ApolloServer({ typeDefs, resolvers, includeStacktraceInErrorResponses: true, introspection: true }); // VULN: debug-mode
  await gql.start();
  app.use('/graphql', expressMiddleware(gql));

  // Full stack traces in the browser make support tickets easier to debug.
  app.use(errorhandler({ log: true })); // VULN: debug-mode
  return app;
}

async function createAppV2() {
  const app = express();
  app.use(helmet());
  app.use(express.json());
  app.use(ordersRouter);

  const gql = new ApolloServer({ typeDefs, resolvers, includeStacktraceInErrorResponses: false }); // SAFE: debug-mode
  await gql.start();
  app.use('/graphql', expressMiddleware(gql));

  if (process.env.NODE_ENV === 'development') {
    app.use(errorhandler()); // SAFE: debug-mode
  } else {
    app.use((err, req, res, next) => {
      req.log && req.log.error(err);
      res.status(500).json({ error: 'internal error' }); // SAFE: debug-mode
    });
  }
  return app;
}

function legacyErrorHandler(err, req, res, next) {
  res.status(500).json({ message: err.message, stack: err.stack, query: err.sql }); // VULN: debug-mode
}

module.exports = { createApp, createAppV2, legacyErrorHandler };

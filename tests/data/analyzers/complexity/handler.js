// Example input for the complexity analyzer (tests use max CCN 5, max length 12 NLOC).

function route(request) {
  // CCN 10 (twice the limit): cyclomatic-complexity, medium
  if (request.method === "GET" && request.path === "/") return "index";
  if (request.method === "GET" && request.path === "/health") return "health";
  if (request.method === "POST" || request.method === "PUT") {
    if (request.body) return "write";
    return "empty";
  }
  if (request.method === "DELETE") return request.admin ? "delete" : "forbidden";
  return "not found";
}

function setup(app) {
  // 15 lines of code, no branches: function-length, low
  app.use("a");
  app.use("b");
  app.use("c");
  app.use("d");
  app.use("e");
  app.use("f");
  app.use("g");
  app.use("h");
  app.use("i");
  app.use("j");
  app.use("k");
  app.use("l");
  return app;
}

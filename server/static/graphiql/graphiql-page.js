// Starts GraphiQL against the gateway's /graphql. Loaded by the GraphiQL page after React,
// ReactDOM and GraphiQL (UMD globals), as a file: the page's CSP allows no inline script.
"use strict";

(function start() {
  const root = document.getElementById("graphiql");
  const endpoint = new URL(root.dataset.endpoint || "/graphql", window.location.href).href;
  const params = new URLSearchParams(window.location.search);

  const defaultQuery = [
    "# GraphiQL for the member gateway, served by the gateway itself (works offline).",
    "#",
    "# Signed in on the web client? Your session cookie is sent with every request.",
    "# Otherwise sign in with channel MOBILE and paste the token in the Headers tab:",
    '#   {"Authorization": "Bearer <token>"}',
    "",
    "{ registrationRules { userCodeMinLength userCodeMaxLength passwordMinLength } }",
    "",
  ].join("\n");

  const fetcher = GraphiQL.createFetcher({ url: endpoint });

  ReactDOM.createRoot(root).render(
    React.createElement(GraphiQL, {
      fetcher,
      defaultQuery,
      query: params.get("query") || undefined,
      variables: params.get("variables") || undefined,
      isHeadersEditorEnabled: true,
      // A bearer token typed in the Headers tab stays in this tab, not in localStorage.
      shouldPersistHeaders: false,
      defaultEditorToolsVisibility: "headers",
    }),
  );
})();

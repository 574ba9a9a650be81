// Sends a receipt to the gateway with apollo-upload-client, as a web or React Native app would.
//
//   node upload.mjs <gateway /graphql URL> <bearer token> <PNG path> [--no-preflight]
//
// Prints one JSON line: {"result": <the mutation's result>} or, when Apollo Client fails,
// {"error": {name, message, statusCode, bodyText}}. --no-preflight leaves out the
// Apollo-Require-Preflight header the gateway asks of every multipart request.
import { readFile } from "node:fs/promises";

import { ApolloClient, InMemoryCache, gql } from "@apollo/client";
import UploadHttpLink from "apollo-upload-client/UploadHttpLink.mjs";

const [url, token, path, mode] = process.argv.slice(2);
if (!url || !token || !path || (mode !== undefined && mode !== "--no-preflight")) {
  console.error("usage: node upload.mjs <url> <token> <png> [--no-preflight]");
  process.exit(2);
}

const headers = { Authorization: `Bearer ${token}` };
if (mode !== "--no-preflight") headers["Apollo-Require-Preflight"] = "true";

const client = new ApolloClient({
  link: new UploadHttpLink({ uri: url, headers }),
  cache: new InMemoryCache(),
});

const UPLOAD = gql`
  mutation Upload($file: Upload!) {
    uploadReceipt(file: $file) {
      receipt {
        id
        contentType
        sizeBytes
        uploadedAt
      }
      errors {
        code
        field
        message
      }
    }
  }
`;

const bytes = await readFile(path);
try {
  const result = await client.mutate({
    mutation: UPLOAD,
    variables: { file: new File([bytes], "receipt.png", { type: "image/png" }) },
  });
  console.log(JSON.stringify({ result }));
} catch (error) {
  const { name, message, statusCode, bodyText } = error;
  console.log(JSON.stringify({ error: { name, message, statusCode, bodyText } }));
}

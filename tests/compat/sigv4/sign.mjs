// Signs one request with the official AWS SigV4 signer (@smithy/signature-v4, the signer inside
// the AWS SDK for JavaScript v3) and prints the resulting headers as JSON, so Osprey's C++ signer
// can be compared with it byte for byte (tests/unit/providers/sigv4_test.cpp).
//
// stdin: {"method", "host", "pathSegments": [unescaped segment, ...] (encoded here the way the
//          SDK's request serializer encodes labels such as modelId), "query": [[k, v], ...] (decoded), "headers": {...},
//          "body", "region", "service", "credentials": {"accessKeyId", "secretAccessKey",
//          "sessionToken"?}, "time" (ISO 8601), "applyChecksum"?}
// stdout: {"path": the encoded request path, "headers": {lower-case name: value, ...}}
import { Sha256 } from "@aws-crypto/sha256-js";
import { HttpRequest } from "@smithy/protocol-http";
import { SignatureV4 } from "@smithy/signature-v4";

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString("utf8");
}

const input = JSON.parse(await readStdin());

// What the SDK serializer does to a path label (@smithy/smithy-client extendedEncodeURIComponent).
const encodeLabel = (s) =>
  encodeURIComponent(s).replace(/[!'()*]/g, (c) => "%" + c.charCodeAt(0).toString(16).toUpperCase());
const path = "/" + input.pathSegments.map(encodeLabel).join("/");

const query = {};
for (const [key, value] of input.query ?? []) {
  if (key in query) {
    query[key] = [].concat(query[key], value);
  } else {
    query[key] = value;
  }
}

const request = new HttpRequest({
  method: input.method,
  protocol: "https:",
  hostname: input.host,
  path,
  query,
  headers: { host: input.host, ...(input.headers ?? {}) },
  body: input.body ?? "",
});

const signer = new SignatureV4({
  credentials: input.credentials,
  region: input.region,
  service: input.service,
  sha256: Sha256,
  applyChecksum: input.applyChecksum ?? false,
});

const signed = await signer.sign(request, { signingDate: new Date(input.time) });
const headers = {};
for (const [name, value] of Object.entries(signed.headers)) headers[name.toLowerCase()] = value;
process.stdout.write(JSON.stringify({ path, headers }) + "\n");

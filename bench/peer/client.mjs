// The one tus client of bench/peer: tus-js-client uploading a file in chunks, the same
// way to either server. Usage: node client.mjs '<json: endpoint, path, chunkSize,
// headers, metadata>'; prints {"seconds", "url"} on success.
import fs from "node:fs";
import { Upload } from "tus-js-client";

const job = JSON.parse(process.argv[2]);
const size = fs.statSync(job.path).size;
const started = process.hrtime.bigint();
const upload = new Upload(fs.createReadStream(job.path), {
  endpoint: job.endpoint,
  chunkSize: job.chunkSize,
  uploadSize: size,
  headers: job.headers,
  metadata: job.metadata,
  retryDelays: [],
  storeFingerprintForResuming: false,
  onError(error) {
    console.error(String(error));
    process.exit(1);
  },
  onSuccess() {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    console.log(JSON.stringify({ seconds, url: upload.url }));
  },
});
upload.start();

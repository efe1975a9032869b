// The peer: @tus/server with its file store, as its README starts it. Usage:
// node server.mjs <port> <directory>; prints "ready" once listening.
import { FileStore } from "@tus/file-store";
import { Server } from "@tus/server";

const [port, directory] = process.argv.slice(2);
const server = new Server({ path: "/files", datastore: new FileStore({ directory }) });
server.listen({ host: "127.0.0.1", port: Number(port) }, () => console.log("ready"));

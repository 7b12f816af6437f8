// The engine libraries: dockerode (with docker-modem, ssh2, @grpc/grpc-js, protobufjs) and tar-stream, about half
// of what a single bundle would hold. Nothing imports this file by value: engineLibs() in lazy.ts loads it on the
// first connection to an engine or the first image read. scripts/build.mjs bundles it alone into
// dist/engine-libs.js, so dist/server.js and dist/cli.js neither evaluate nor even parse these packages until then.

import Dockerode from 'dockerode';
import * as tarStream from 'tar-stream';

export { Dockerode, tarStream };

export interface EngineLibs {
  Dockerode: typeof Dockerode;
  tarStream: typeof tarStream;
}

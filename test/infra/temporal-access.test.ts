/**
 * TLS and mutual TLS to Temporal (infra/temporal-access.ts): the variables are read as the Temporal CLI
 * reads them, and the SDK's client and worker connections really speak TLS with a client certificate,
 * through a local TLS proxy (client certificate required) in front of the test dev server.
 */
import assert from 'node:assert/strict';
import net from 'node:net';
import path from 'node:path';
import tls from 'node:tls';
import fs from 'node:fs';
import { Connection } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { connectionOptions, temporalAccessFromEnv } from '../../infra/temporal-access';
import { getTestTemporal } from '../support/temporal';

const TLS_DIR = path.join(__dirname, '../fixtures/tls');
const file = (name: string) => path.join(TLS_DIR, name);

describe('Temporal access: TLS, mTLS and API key from the environment', function () {
  this.timeout(60_000);

  it('reads nothing without TLS variables, and names the variable at fault', () => {
    assert.deepEqual(temporalAccessFromEnv({ TEMPORAL_ADDRESS: 'temporal:7233' }), { address: 'temporal:7233', namespace: 'default' });
    assert.throws(
      () => temporalAccessFromEnv({ TEMPORAL_TLS_CERT: file('client.pem') }),
      /TEMPORAL_TLS_CERT and TEMPORAL_TLS_KEY go together/,
    );
    assert.throws(
      () => temporalAccessFromEnv({ TEMPORAL_TLS_CA: '/nowhere/ca.pem' }),
      /TEMPORAL_TLS_CA: cannot read \/nowhere\/ca.pem: ENOENT/,
    );
    assert.throws(() => temporalAccessFromEnv({ TEMPORAL_TLS: 'yes' }), /TEMPORAL_TLS: expected true or false/);
    const keyed = temporalAccessFromEnv({ TEMPORAL_ADDRESS: 'x:1', TEMPORAL_API_KEY: 'k-123', TEMPORAL_NAMESPACE: 'arena' });
    assert.deepEqual(keyed, { address: 'x:1', namespace: 'arena', tls: {}, apiKey: 'k-123' });
    assert.throws(() => connectionOptions(temporalAccessFromEnv({})), /TEMPORAL_ADDRESS is not set/);
  });

  describe('through a TLS proxy that asks for a client certificate', () => {
    let proxy: tls.Server;
    let address: string;
    const handshakes: Array<{ authorized: boolean; subject: string | undefined }> = [];

    before(async () => {
      const env = await getTestTemporal();
      const [host, port] = String(env.address).split(':');
      proxy = tls.createServer(
        {
          key: fs.readFileSync(file('server.key')),
          cert: fs.readFileSync(file('server.pem')),
          ca: fs.readFileSync(file('ca.pem')),
          requestCert: true,
          rejectUnauthorized: true,
          ALPNProtocols: ['h2'],
        },
        (socket) => {
          handshakes.push({ authorized: socket.authorized, subject: String(socket.getPeerCertificate().subject?.CN) });
          const upstream = net.connect(Number(port), host === 'localhost' ? '127.0.0.1' : host!);
          socket.pipe(upstream).pipe(socket);
          const end = () => {
            socket.destroy();
            upstream.destroy();
          };
          socket.on('error', end);
          upstream.on('error', end);
        },
      );
      await new Promise<void>((resolve) => proxy.listen(0, '127.0.0.1', resolve));
      address = `127.0.0.1:${(proxy.address() as net.AddressInfo).port}`;
    });
    after(() => proxy?.close());

    const mtlsEnv = () => ({
      TEMPORAL_ADDRESS: address,
      TEMPORAL_TLS_CA: file('ca.pem'),
      TEMPORAL_TLS_CERT: file('client.pem'),
      TEMPORAL_TLS_KEY: file('client.key'),
      TEMPORAL_TLS_SERVER_NAME: 'temporal.arena.test',
    });

    it('connects the client and the worker with mutual TLS', async () => {
      const options = connectionOptions(temporalAccessFromEnv(mtlsEnv()));
      const client = await Connection.connect(options);
      try {
        const info = await client.workflowService.getSystemInfo({});
        assert.ok(info.serverVersion);
      } finally {
        await client.close();
      }
      const worker = await NativeConnection.connect(options);
      await worker.close();
      assert.ok(handshakes.length >= 2);
      assert.ok(handshakes.every((h) => h.authorized && h.subject === 'arena-worker'));
    });

    it('is refused without the client certificate, and with the wrong server name', async () => {
      const { TEMPORAL_TLS_CERT: _c, TEMPORAL_TLS_KEY: _k, ...noCert } = mtlsEnv();
      await assert.rejects(
        Connection.connect({ ...connectionOptions(temporalAccessFromEnv(noCert)), connectTimeout: 3_000 }).then((c) =>
          c.workflowService.getSystemInfo({}),
        ),
      );
      await assert.rejects(
        Connection.connect({
          ...connectionOptions(temporalAccessFromEnv({ ...mtlsEnv(), TEMPORAL_TLS_SERVER_NAME: 'someone-else.test' })),
          connectTimeout: 3_000,
        }).then((c) => c.workflowService.getSystemInfo({})),
      );
    });
  });
});

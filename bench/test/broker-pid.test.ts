import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { brokerPid, brokerPort, findBrokerPid, listenerPorts, listeningInodes, type ProcessTable } from '../src/broker-pid.js';

const HEADER =
  '  sl  local_address                         remote_address                        st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode';
// 9092 = 0x2384, 9093 = 0x2385; state 0A = LISTEN, 01 = ESTABLISHED.
const TCP6 = [
  HEADER,
  '   0: 0000000000000000FFFF00000100007F:2385 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 13531 1 0000000040890161 100 0 0 10 0',
  '   1: 0000000000000000FFFF00000100007F:2384 00000000000000000000000000000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 13536 1 000000004415aefa 100 0 0 10 0',
  '   2: 0000000000000000FFFF00000100007F:2384 0000000000000000FFFF00000100007F:8082 01 00000000:00000000 02:000AA473 00000000     0        0 13533 2 00000000d5584116 20 4 28 12 -1',
].join('\n');
const TCP = [HEADER, '   0: 0100007F:1F90 00000000:0000 0A 00000000:00000000 00:00000000 00000000     0        0 4242 1 0000000000000000 100 0 0 10 0'].join(
  '\n',
);

const BROKER_CMD = (properties: string) => ['java', '-Xmx512m', '-cp', '/elsewhere/infra/kafka/.cache/lib/*', 'kafka.Kafka', properties].join('\0') + '\0';

function table(procs: Record<number, { cmd: string; sockets?: string[] }>, files: Record<string, string>): ProcessTable {
  return {
    pids: () => Object.keys(procs).map(Number),
    cmdline: (pid) => procs[pid]?.cmd,
    socketInodes: (pid) => new Set(procs[pid]?.sockets ?? []),
    readFile: (path) => files[path],
  };
}

describe('broker pid discovery', () => {
  it('reads the port of the first broker in KAFKA_BROKERS', () => {
    expect(brokerPort('127.0.0.1:9092')).toBe(9092);
    expect(brokerPort('kafka-1:19092, kafka-2:29092')).toBe(19092);
    expect(brokerPort('localhost')).toBeUndefined();
  });

  it('finds the sockets listening on a port in /proc/net/tcp6, not the connections to it', () => {
    expect(listeningInodes(TCP6, 9092)).toEqual(['13536']);
    expect(listeningInodes(TCP6, 9093)).toEqual(['13531']);
    expect(listeningInodes(TCP, 8080)).toEqual(['4242']);
    expect(listeningInodes('', 9092)).toEqual([]);
  });

  it("reads the ports of a broker properties file's listeners", () => {
    expect(listenerPorts('# x\nlisteners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\nadvertised.listeners=PLAINTEXT://h:1\n')).toEqual([
      9092, 9093,
    ]);
    expect(listenerPorts('listeners = PLAINTEXT://:19092\n')).toEqual([19092]);
    expect(listenerPorts('advertised.listeners=PLAINTEXT://h:1\n')).toEqual([]);
  });

  it('picks the kafka.Kafka process holding the listening socket, whatever checkout started it', () => {
    const procs = table(
      {
        10: { cmd: BROKER_CMD('/other/a.properties'), sockets: ['999'] }, // another broker, another port
        11: { cmd: BROKER_CMD('/elsewhere/infra/kafka/.run/server.properties'), sockets: ['13531', '13536'] },
        12: { cmd: 'node\0client.js\0', sockets: ['13536'] }, // not a broker, whatever it holds
      },
      { '/proc/net/tcp6': TCP6, '/proc/net/tcp': TCP },
    );
    expect(findBrokerPid(9092, procs)).toBe(11);
    expect(brokerPid('127.0.0.1:9092', procs)).toBe(11);
  });

  it("falls back to the properties file's listeners when the sockets cannot be read", () => {
    const procs = table(
      {
        10: { cmd: BROKER_CMD('/other/a.properties') },
        11: { cmd: BROKER_CMD('/b/server.properties') },
      },
      {
        '/proc/net/tcp6': TCP6,
        '/other/a.properties': 'listeners=PLAINTEXT://127.0.0.1:19092\n',
        '/b/server.properties': 'listeners=PLAINTEXT://127.0.0.1:9092,CONTROLLER://127.0.0.1:9093\n',
      },
    );
    expect(findBrokerPid(9092, procs)).toBe(11);
    expect(findBrokerPid(29092, procs)).toBeUndefined();
  });

  it('finds nothing when no broker runs or the address has no port', () => {
    expect(findBrokerPid(9092, table({ 12: { cmd: 'node\0x\0', sockets: ['13536'] } }, { '/proc/net/tcp6': TCP6 }))).toBeUndefined();
    expect(brokerPid('localhost', table({}, {}))).toBeUndefined();
  });

  it('finds a real process by its listening socket in procfs', async () => {
    // A stand-in broker: a process whose command line names kafka.Kafka and that listens on a port.
    const child = spawn(
      process.execPath,
      ['-e', "const s=require('net').createServer().listen(0,'127.0.0.1',()=>console.log(s.address().port))", 'kafka.Kafka', '/nowhere/server.properties'],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    try {
      const [data] = (await once(child.stdout!, 'data')) as [Buffer];
      const port = Number(data.toString().trim());
      expect(brokerPid(`127.0.0.1:${port}`)).toBe(child.pid);
    } finally {
      child.kill();
    }
  });
});

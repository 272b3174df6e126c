import { randomBytes, randomUUID } from 'node:crypto';
import { Partitioners, type PartitionerArgs } from 'kafkajs';
import { KeyHashPartitioner, murmur2 } from '../src/kafka/key-partitioner.js';

const metadata = (n: number, down: number[] = []) =>
  Array.from({ length: n }, (_, partitionId) => ({ partitionId, leader: down.includes(partitionId) ? -1 : 0, replicas: [], isr: [], partitionErrorCode: 0 }));

describe('the key partitioner: kafkajs default (Java-compatible murmur2) partitions, computed in 32-bit integers', () => {
  it('puts every key on the partition kafkajs DefaultPartitioner chooses (strings, Buffers, multi-byte text, every length mod 4)', () => {
    const ours = KeyHashPartitioner();
    const theirs = Partitioners.DefaultPartitioner();
    const keys: (string | Buffer)[] = ['', 'a', 'ab', 'abc', 'abcd', 'é', '租户:主题', `${randomUUID()}:${randomUUID()}`];
    for (let i = 0; i < 2000; i++) keys.push(i % 3 === 0 ? randomBytes(i % 70) : `${randomUUID()}:${randomBytes(i % 40).toString('base64')}`);
    for (const partitions of [1, 2, 3, 4, 7, 32, 100]) {
      for (const key of keys) {
        const args: PartitionerArgs = { topic: 't', partitionMetadata: metadata(partitions), message: { key, value: 'v' } };
        expect([key, partitions, ours(args)]).toEqual([key, partitions, theirs(args)]);
      }
    }
  });

  it('hashes as Kafka does: the Java client test vectors', () => {
    // org.apache.kafka.common.utils.UtilsTest#testMurmur2
    const cases: [string, number][] = [
      ['21', -973932308],
      ['foobar', -790332482],
      ['a-little-bit-long-string', -985981536],
      ['a-little-bit-longer-string', -1486304829],
      ['lkjh234lh9fiuh90y23oiuhsafujhadof229phr9h19h89h8', -58897971],
    ];
    for (const [key, expected] of cases) expect([key, murmur2(key)]).toEqual([key, expected]);
    expect(murmur2(Buffer.from([97, 98, 99]))).toBe(murmur2('abc'));
  });

  it('keeps an explicit partition, and spreads keyless messages round robin over the partitions that have a leader', () => {
    const ours = KeyHashPartitioner();
    expect(ours({ topic: 't', partitionMetadata: metadata(4), message: { key: 'k', value: 'v', partition: 3 } })).toBe(3);
    const chosen = Array.from({ length: 8 }, () => ours({ topic: 'u', partitionMetadata: metadata(4, [1]), message: { value: 'v' } }));
    expect(new Set(chosen)).toEqual(new Set([0, 2, 3]));
    for (let i = 1; i < chosen.length; i++) expect([0, 2, 3].indexOf(chosen[i]!)).toBe(([0, 2, 3].indexOf(chosen[i - 1]!) + 1) % 3);
    expect(ours({ topic: 'v', partitionMetadata: metadata(2, [0, 1]), message: { value: 'v' } })).toBeLessThan(2);
  });
});

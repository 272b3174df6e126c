// Resolves a launcher's jars with Maven from its own pom.xml: the one way infra/ gets Java
// software (Kafka, Zipkin) on machines whose only Java registry is Maven Central.
import { spawnSync } from 'node:child_process';

/**
 * `mvn dependency:copy-dependencies` of `pom` into `outputDirectory`, with `extraArgs` after it.
 * Maven's output goes to stderr: the launchers' stdout carries their JSON answer. True on success.
 */
export function copyMavenDependencies(pom, outputDirectory, extraArgs = []) {
  const r = spawnSync(
    'mvn',
    ['-q', '-B', '-Dstyle.color=never', '-f', pom, 'dependency:copy-dependencies', `-DoutputDirectory=${outputDirectory}`, ...extraArgs],
    { stdio: ['ignore', process.stderr, process.stderr] },
  );
  return r.status === 0;
}

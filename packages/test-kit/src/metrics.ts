/**
 * The value of a metric on an app's /metrics (the largest sample whose line starts with
 * `name`, labels allowed), or undefined when it is absent or the app does not answer.
 */
export async function metric(baseUrl: string, name: string): Promise<number | undefined> {
  try {
    const text = await (await fetch(`${baseUrl}/metrics`, { signal: AbortSignal.timeout(3000) })).text();
    const values = text
      .split('\n')
      .filter((l) => l.startsWith(`${name}{`) || l.startsWith(`${name} `))
      .map((l) => Number(l.split(' ').pop()));
    return values.length ? Math.max(...values) : undefined;
  } catch {
    return undefined;
  }
}

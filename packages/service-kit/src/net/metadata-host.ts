/*
 * Host names of cloud metadata services. Their addresses are refused anyway (169.254.0.0/16,
 * 100.100.100.200, fd00:ec2::254), but a name is refused before any DNS answer can matter, and
 * at API time, where hookstream does not resolve names.
 */
const METADATA_NAMES: ReadonlySet<string> = new Set([
  'metadata', // the short name GCP's and other clouds' resolvers answer
  'metadata.goog',
  'metadata.google.internal',
  'metadata.tencentyun.com',
  'instance-data', // AWS EC2
]);
// AWS EC2: instance-data.ec2.internal, instance-data.<region>.compute.internal.
const INSTANCE_DATA = /^instance-data(\.[a-z0-9-]+)*\.internal$/;

/** Whether a URL's host name (any case, with or without the root's trailing dot) names a cloud metadata service. */
export function isCloudMetadataHost(host: string): boolean {
  const name = host.toLowerCase().replace(/\.$/, '');
  return METADATA_NAMES.has(name) || INSTANCE_DATA.test(name);
}

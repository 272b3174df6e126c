import { Ajv2020, type ErrorObject, type SchemaObject } from 'ajv/dist/2020.js';
import type { Manifest } from './manifests.js';

/**
 * The operators' custom resources, as far as infra/k8s uses them: the required fields, types and
 * enumerations of the CRDs of Strimzi 0.45.1 (kafka.strimzi.io/v1beta2: Kafka, KafkaNodePool,
 * KafkaTopic) and CloudNativePG 1.25.1 (postgresql.cnpg.io/v1: Cluster), plus the rules their
 * operators enforce beyond the CRD (a persistent volume needs a size, initdb's database needs its
 * owner). A field not listed here is refused: the API server prunes unknown fields of these CRDs
 * silently, so a misspelt one would be dropped without a word. Check the CRD of the operator
 * version before adding one.
 */
const quantity = { type: ['string', 'integer'] };
const resources = {
  type: 'object',
  additionalProperties: false,
  properties: { requests: { type: 'object', additionalProperties: quantity }, limits: { type: 'object', additionalProperties: quantity } },
};
const stringMap = { type: 'object', additionalProperties: { type: 'string' } };
const metadata = (labels: SchemaObject = {}) => ({
  type: 'object',
  required: ['name'],
  properties: {
    name: { type: 'string', pattern: '^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$', maxLength: 253 },
    namespace: { type: 'string' },
    labels: { ...stringMap, ...labels },
  },
});
const clusterLabel = { required: ['strimzi.io/cluster'] };

const volume = {
  type: 'object',
  required: ['type'],
  additionalProperties: false,
  properties: {
    id: { type: 'integer', minimum: 0 },
    type: { enum: ['ephemeral', 'persistent-claim'] },
    size: { type: 'string' },
    class: { type: 'string' },
    deleteClaim: { type: 'boolean' },
    kraftMetadata: { enum: ['shared'] },
  },
  // Strimzi: "Mandatory when type=persistent-claim".
  if: { properties: { type: { const: 'persistent-claim' } } },
  then: { required: ['size'] },
};

const SCHEMAS: Record<string, SchemaObject> = {
  'kafka.strimzi.io/v1beta2/Kafka': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata: metadata(),
      spec: {
        type: 'object',
        required: ['kafka'],
        additionalProperties: false,
        properties: {
          kafka: {
            type: 'object',
            required: ['listeners'],
            additionalProperties: false,
            properties: {
              version: { type: 'string' },
              metadataVersion: { type: 'string', pattern: '^\\d+\\.\\d+-IV\\d+$' },
              listeners: {
                type: 'array',
                minItems: 1,
                items: {
                  type: 'object',
                  required: ['name', 'port', 'type', 'tls'],
                  additionalProperties: false,
                  properties: {
                    name: { type: 'string', pattern: '^[a-z0-9]{1,11}$' },
                    // 9090 and 9091 are the controller and replication listeners Strimzi adds itself.
                    port: { type: 'integer', minimum: 9092, not: { enum: [9404, 9999] } },
                    type: { enum: ['internal', 'route', 'loadbalancer', 'nodeport', 'ingress', 'cluster-ip'] },
                    tls: { type: 'boolean' },
                  },
                },
              },
              config: { type: 'object', additionalProperties: { type: ['string', 'integer', 'boolean', 'number'] } },
            },
          },
          entityOperator: {
            type: 'object',
            additionalProperties: false,
            properties: { topicOperator: { type: 'object' }, userOperator: { type: 'object' } },
          },
        },
      },
    },
  },
  'kafka.strimzi.io/v1beta2/KafkaNodePool': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata: metadata(clusterLabel),
      spec: {
        type: 'object',
        required: ['replicas', 'storage', 'roles'],
        additionalProperties: false,
        properties: {
          replicas: { type: 'integer', minimum: 0 },
          roles: { type: 'array', minItems: 1, items: { enum: ['controller', 'broker'] } },
          storage: {
            type: 'object',
            required: ['type'],
            additionalProperties: false,
            properties: {
              type: { enum: ['ephemeral', 'persistent-claim', 'jbod'] },
              size: { type: 'string' },
              class: { type: 'string' },
              deleteClaim: { type: 'boolean' },
              volumes: { type: 'array', minItems: 1, items: volume },
            },
            allOf: [
              { if: { properties: { type: { const: 'jbod' } } }, then: { required: ['volumes'] } },
              { if: { properties: { type: { const: 'persistent-claim' } } }, then: { required: ['size'] } },
            ],
          },
          resources,
          jvmOptions: {
            type: 'object',
            additionalProperties: false,
            properties: { '-Xms': { type: 'string', pattern: '^[0-9]+[mMgG]?$' }, '-Xmx': { type: 'string', pattern: '^[0-9]+[mMgG]?$' } },
          },
          template: { type: 'object', additionalProperties: false, properties: { pod: { type: 'object' } } },
        },
      },
    },
  },
  'kafka.strimzi.io/v1beta2/KafkaTopic': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata: metadata(clusterLabel),
      spec: {
        type: 'object',
        additionalProperties: false,
        properties: {
          topicName: { type: 'string' },
          partitions: { type: 'integer', minimum: 1 },
          replicas: { type: 'integer', minimum: 1, maximum: 32767 },
          config: { type: 'object', additionalProperties: { type: ['string', 'integer', 'boolean', 'number'] } },
        },
      },
    },
  },
  'postgresql.cnpg.io/v1/Cluster': {
    type: 'object',
    required: ['metadata', 'spec'],
    properties: {
      metadata: metadata(),
      spec: {
        type: 'object',
        // The CRD requires `instances`; the operator's webhook refuses a cluster without a volume size.
        required: ['instances', 'storage'],
        additionalProperties: false,
        properties: {
          instances: { type: 'integer', minimum: 1 },
          imageName: { type: 'string' },
          primaryUpdateStrategy: { enum: ['unsupervised', 'supervised'] },
          storage: {
            type: 'object',
            required: ['size'],
            additionalProperties: false,
            properties: { size: { type: 'string' }, storageClass: { type: 'string' } },
          },
          bootstrap: {
            type: 'object',
            additionalProperties: false,
            properties: {
              initdb: {
                type: 'object',
                additionalProperties: false,
                properties: { database: { type: 'string' }, owner: { type: 'string' } },
                // CloudNativePG: a database needs its owner (and the other way round).
                dependentRequired: { database: ['owner'], owner: ['database'] },
              },
            },
          },
          postgresql: { type: 'object', additionalProperties: false, properties: { parameters: stringMap } },
          inheritedMetadata: { type: 'object', additionalProperties: false, properties: { labels: stringMap, annotations: stringMap } },
          affinity: {
            type: 'object',
            additionalProperties: false,
            properties: {
              enablePodAntiAffinity: { type: 'boolean' },
              topologyKey: { type: 'string' },
              podAntiAffinityType: { enum: ['preferred', 'required'] },
            },
          },
          resources,
        },
      },
    },
  },
};

// Draft 2020-12 for dependentRequired; not strict: `if`/`then` without a `type` beside them are intended.
const ajv = new Ajv2020({ allErrors: true, strict: false });
const validators = Object.fromEntries(Object.entries(SCHEMAS).map(([k, s]) => [k, ajv.compile(s)]));

export const operatorKinds = Object.keys(SCHEMAS);

function describe(errors: ErrorObject[] | null | undefined): string {
  return (errors ?? [])
    .map((e) => {
      const extra = (e.params as { additionalProperty?: string }).additionalProperty;
      return `${e.instancePath || '/'}${extra ? `/${extra}` : ''}: ${e.message ?? 'invalid'}`;
    })
    .join('; ');
}

/** A validator for an operator kind, in the shape of the kubernetes-models classes; undefined for other kinds. */
export function operatorModel(object: Manifest): { validate(): void } | undefined {
  const validate = validators[`${object.apiVersion}/${object.kind}`];
  if (!validate) return undefined;
  return {
    validate() {
      if (!validate(object as unknown)) throw new Error(`${object.kind}/${object.metadata?.name}: ${describe(validate.errors)}`);
    },
  };
}

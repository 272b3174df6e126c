import { ScaledObject } from '@kubernetes-models/keda/keda.sh/v1alpha1';
import { Deployment } from 'kubernetes-models/apps/v1';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import type { Manifest } from './manifests.js';
import { operatorKinds, operatorModel } from './operator-schemas.js';

interface Validatable {
  validate(): void;
}

/** apiVersion/kind -> the typed model whose validate() checks the object against its schema. */
const MODELS: Record<string, (object: Manifest) => Validatable> = {
  'v1/Namespace': (o) => new Namespace(o as never),
  'v1/ConfigMap': (o) => new ConfigMap(o as never),
  'v1/Secret': (o) => new Secret(o as never),
  'v1/ServiceAccount': (o) => new ServiceAccount(o as never),
  'v1/Service': (o) => new Service(o as never),
  'apps/v1/Deployment': (o) => new Deployment(o as never),
  'batch/v1/Job': (o) => new Job(o as never),
  'batch/v1/CronJob': (o) => new CronJob(o as never),
  'networking.k8s.io/v1/NetworkPolicy': (o) => new NetworkPolicy(o as never),
  'policy/v1/PodDisruptionBudget': (o) => new PodDisruptionBudget(o as never),
  'autoscaling/v2/HorizontalPodAutoscaler': (o) => new HorizontalPodAutoscaler(o as never),
  'keda.sh/v1alpha1/ScaledObject': (o) => new ScaledObject(o as never),
};

export const knownKinds = [...Object.keys(MODELS), ...operatorKinds];

/** Validates against the Kubernetes (or KEDA, Strimzi, CloudNativePG) schema; throws for a kind without a model. */
export function validateManifest(object: Manifest): void {
  const operator = operatorModel(object);
  if (operator) return operator.validate();
  const make = MODELS[`${object.apiVersion}/${object.kind}`];
  if (!make) throw new Error(`no schema model for ${object.apiVersion} ${object.kind} (known: ${knownKinds.join(', ')})`);
  make(object).validate();
}

import { PATH_METADATA } from '@nestjs/common/constants';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { AppModule } from '../app.module';
import { loadConfig } from '../config';
import { HealthController } from './health.controller';
import { healthConfig } from '../lifecycle';

type Doc = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any -- parsed YAML

/** `deploy/k8s/` must agree with the app it deploys: probe routes and ports, the drain timings, the variable names. */
describe('Kubernetes manifests (deploy/k8s)', () => {
  const dir = join(__dirname, '..', '..', 'deploy', 'k8s');
  const docs: Doc[] = readdirSync(dir)
    .filter((file) => file.endsWith('.yaml'))
    .flatMap((file) => parseAllDocuments(readFileSync(join(dir, file), 'utf8')).map((doc) => doc.toJS() as Doc));
  const ofKind = (kind: string) => docs.filter((doc) => doc.kind === kind);
  const deployments = ofKind('Deployment');
  const configMap = ofKind('ConfigMap').find((doc) => doc.metadata.name === 'bulwark-config')!;
  const variables = new Set(AppModule.configs.flatMap((definition) => Object.keys(definition.env.shape)));
  // The app's config with the ConfigMap's values (secrets are URLs the defaults stand in for).
  const config = loadConfig(AppModule.configs, { ...(configMap.data as Record<string, string>), DEGRADATION_SWITCHES_FILE: '' });

  // The routes HealthController declares (read from Nest's metadata, so a renamed route fails here).
  const healthRoutes = Object.getOwnPropertyNames(HealthController.prototype).flatMap((method) => {
    const handler = (HealthController.prototype as unknown as Record<string, object>)[method];
    const path = typeof handler === 'function' ? (Reflect.getMetadata(PATH_METADATA, handler) as string | undefined) : undefined;
    return path === undefined ? [] : [`/${Reflect.getMetadata(PATH_METADATA, HealthController) as string}/${path}`];
  });

  it('has the API and worker Deployments, a Service, an HPA and a PodDisruptionBudget for each', () => {
    expect(deployments.map((d) => d.metadata.name).sort()).toEqual(['bulwark-api', 'bulwark-worker']);
    const pdbs = ofKind('PodDisruptionBudget');
    for (const deployment of deployments) {
      const labels = deployment.spec.template.metadata.labels as Record<string, string>;
      expect(deployment.spec.selector.matchLabels).toEqual(labels);
      const covering = pdbs.filter((pdb) => Object.entries(pdb.spec.selector.matchLabels as Record<string, string>).every(([k, v]) => labels[k] === v));
      expect({ deployment: deployment.metadata.name, pdbs: covering.length }).toEqual({ deployment: deployment.metadata.name, pdbs: 1 });
    }
    const hpa = ofKind('HorizontalPodAutoscaler')[0];
    expect(deployments.map((d) => d.metadata.name)).toContain(hpa.spec.scaleTargetRef.name);
    expect(ofKind('Service')).toHaveLength(1);
  });

  it('probes ask the app’s health routes, on the container’s port', () => {
    for (const deployment of deployments) {
      for (const container of deployment.spec.template.spec.containers as Doc[]) {
        const ports = container.ports as Array<{ name: string; containerPort: number }>;
        expect(ports.map((p) => p.containerPort)).toContain(Number(configMap.data.PORT ?? 3000));
        for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) {
          const { path, port } = container[probe].httpGet as { path: string; port: string | number };
          expect(healthRoutes).toContain(path);
          expect(ports.some((p) => p.name === port || p.containerPort === port)).toBe(true);
        }
        expect(container.startupProbe.httpGet.path).toBe('/health/startup');
        expect(container.readinessProbe.httpGet.path).toBe('/health/ready');
        expect(container.livenessProbe.httpGet.path).toBe('/health/live');
      }
    }
  });

  it('the grace period exceeds the shutdown bound, which exceeds drain + HTTP grace + three closers', () => {
    const health = config.get(healthConfig);
    expect(health.shutdownTimeoutMs).toBeGreaterThan(health.drainDelayMs + health.httpGraceMs + 3 * health.shutdownStepTimeoutMs);
    for (const deployment of deployments) {
      expect(deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(health.shutdownTimeoutMs);
    }
  });

  it('names only variables the config schema knows', () => {
    const named = [
      ...Object.keys(configMap.data as Record<string, string>),
      ...deployments.flatMap((d) => (d.spec.template.spec.containers as Doc[]).flatMap((c) => ((c.env ?? []) as Array<{ name: string }>).map((e) => e.name))),
    ];
    expect(named.filter((name) => !variables.has(name))).toEqual([]);
  });

  it('spreads the API pods across zones and nodes', () => {
    const api = deployments.find((d) => d.metadata.name === 'bulwark-api')!;
    const keys = (api.spec.template.spec.topologySpreadConstraints as Array<{ topologyKey: string }>).map((c) => c.topologyKey);
    expect(keys).toEqual(expect.arrayContaining(['topology.kubernetes.io/zone', 'kubernetes.io/hostname']));
  });
});

import { readdir, readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseConfigToml } from '@gov/policies';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';
import { parseAllDocuments } from 'yaml';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MANIFESTS = join(REPO, 'deploy/kubernetes');

interface Manifest {
  file: string;
  object: { apiVersion: string; kind: string; metadata: { name: string; namespace?: string }; [key: string]: unknown };
}

async function readManifests(): Promise<Manifest[]> {
  const files = (await readdir(MANIFESTS)).filter((file) => file.endsWith('.yaml') && file !== 'kustomization.yaml').sort();
  const manifests: Manifest[] = [];
  for (const file of files) {
    for (const document of parseAllDocuments(await readFile(join(MANIFESTS, file), 'utf8'))) {
      if (document.errors.length > 0) throw new Error(`${file}: ${document.errors.map((error) => error.message).join('; ')}`);
      manifests.push({ file, object: document.toJS() as Manifest['object'] });
    }
  }
  return manifests;
}

/** The kubernetes-models entry of an apiVersion: `v1` (core) or `<group>/<version>`. */
const modelsEntry = (apiVersion: string) => `kubernetes-models/${apiVersion}`;

/**
 * Validates each object against the upstream OpenAPI schema (types, required fields, enums, formats)
 * with the kubernetes-models classes. Returns each object's problems; none means valid.
 */
async function schemaProblems(objects: Manifest['object'][]): Promise<string[]> {
  const problems: string[] = [];
  for (const object of objects) {
    const models = (await import(modelsEntry(object.apiVersion))) as Record<string, new (data: unknown) => { validate(): void }>;
    const Model = models[object.kind];
    if (!Model) {
      problems.push(`${object.apiVersion} ${object.kind}: no such kind in the Kubernetes API`);
      continue;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${object.kind} ${object.metadata.name}: ${(error as Error).message}`);
    }
  }
  return problems;
}

/**
 * The OpenAPI schemas leave unknown fields open, so a misspelt field (`readinesProbe`) would pass
 * them. The TypeScript compiler closes that gap: each object is assigned, as an object literal, to
 * the kubernetes-models interface of its kind, and an excess property is a type error.
 */
function unknownFieldProblems(objects: Manifest['object'][]): string[] {
  const virtual = join(REPO, 'apps/daemon/test/__manifests__.ts');
  const lines = objects.map((object, index) => {
    const alias = `M${index}`;
    return `import type { I${object.kind} as ${alias} } from '${modelsEntry(object.apiVersion)}';\nexport const object${index}: ${alias} = ${JSON.stringify(object, null, 2)};`;
  });
  const text = lines.join('\n');
  const options: ts.CompilerOptions = { strict: true, noEmit: true, module: ts.ModuleKind.NodeNext, moduleResolution: ts.ModuleResolutionKind.NodeNext, target: ts.ScriptTarget.ES2022, skipLibCheck: true, types: [] };
  const host = ts.createCompilerHost(options);
  const getSourceFile = host.getSourceFile.bind(host);
  host.getSourceFile = (name, language, ...rest) => (name === virtual ? ts.createSourceFile(name, text, language) : getSourceFile(name, language, ...rest));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === virtual || fileExists(name);
  const program = ts.createProgram([virtual], options, host);
  return ts.getPreEmitDiagnostics(program).map((diagnostic) => {
    const where = diagnostic.file && diagnostic.start !== undefined ? `line ${diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start).line + 1}: ` : '';
    return `${where}${ts.flattenDiagnosticMessageText(diagnostic.messageText, ' ')}`;
  });
}

type DaemonSetSpec = {
  template: {
    metadata: { annotations: Record<string, string> };
    spec: {
      hostPID: boolean;
      serviceAccountName: string;
      containers: {
        args: string[];
        ports: { name: string; containerPort: number }[];
        resources: { requests: Record<string, string>; limits: Record<string, string> };
        readinessProbe: { httpGet: { path: string; port: string } };
        livenessProbe: { httpGet: { path: string; port: string } };
        volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
      }[];
      volumes: { name: string; hostPath?: { path: string }; configMap?: { name: string } }[];
    };
  };
};

describe('deploy/kubernetes', () => {
  it('is valid against the Kubernetes OpenAPI schema, with no unknown field', async () => {
    const manifests = await readManifests();
    expect(manifests.map(({ file, object }) => `${file}: ${object.apiVersion} ${object.kind} ${object.metadata.name}`)).toEqual([
      'configmap.yaml: v1 ConfigMap govd-config',
      'daemonset.yaml: apps/v1 DaemonSet govd',
      'namespace.yaml: v1 Namespace gov-system',
      'serviceaccount.yaml: v1 ServiceAccount govd',
    ]);
    const objects = manifests.map((manifest) => manifest.object);
    expect(await schemaProblems(objects)).toEqual([]);
    expect(unknownFieldProblems(objects)).toEqual([]);
  });

  it('the validators catch a misspelt field, a wrong type and a missing required field', async () => {
    const daemonSet = (await readManifests()).find((manifest) => manifest.object.kind === 'DaemonSet')?.object as Manifest['object'] & { spec: DaemonSetSpec & { selector?: unknown } };
    const container = daemonSet.spec.template.spec.containers[0] as Record<string, unknown>;
    const { readinessProbe, ...withoutProbe } = container;
    const misspelt = { ...daemonSet, spec: { ...daemonSet.spec, template: { ...daemonSet.spec.template, spec: { ...daemonSet.spec.template.spec, containers: [{ ...withoutProbe, readinesProbe: readinessProbe }] } } } };
    expect(unknownFieldProblems([misspelt])).toEqual([expect.stringMatching(/^line \d+: Object literal may only specify known properties, and '"readinesProbe"' does not exist in type 'IContainer'\.$/)]);
    const wrongType = { ...daemonSet, spec: { ...daemonSet.spec, template: { ...daemonSet.spec.template, spec: { ...daemonSet.spec.template.spec, hostPID: 'yes' } } } };
    expect(await schemaProblems([wrongType])).toEqual(['DaemonSet govd: data/spec/template/spec/hostPID must be boolean']);
    const { selector: _, ...noSelector } = daemonSet.spec;
    expect(await schemaProblems([{ ...daemonSet, spec: noSelector }])).toEqual(['DaemonSet govd: data/spec must have required property selector']);
  });

  it('runs govd as a node agent: host PID, the node\'s cgroups, pod logs and state, probes, limits and scrape annotations', async () => {
    const manifests = await readManifests();
    const find = (kind: string) => manifests.find((manifest) => manifest.object.kind === kind)?.object as Manifest['object'];
    const spec = (find('DaemonSet') as unknown as { spec: DaemonSetSpec }).spec.template.spec;
    const container = spec.containers[0] as DaemonSetSpec['template']['spec']['containers'][number];
    const config = parseConfigToml((find('ConfigMap') as unknown as { data: Record<string, string> }).data['config.toml'] ?? '', 'configmap.yaml config.toml');
    const port = Number(config.daemon.listen.split(':').at(-1));

    expect(spec.hostPID).toBe(true);
    expect(spec.serviceAccountName).toBe(find('ServiceAccount').metadata.name);
    expect(container.args).toEqual(['--config', '/etc/gov/config.toml']);
    expect(container.ports).toEqual([{ name: 'http', containerPort: port, protocol: 'TCP' }]);
    expect([container.readinessProbe.httpGet, container.livenessProbe.httpGet]).toEqual([
      { path: '/readyz', port: 'http' },
      { path: '/healthz', port: 'http' },
    ]);
    expect(Object.keys(container.resources.requests).sort()).toEqual(['cpu', 'memory']);
    expect(Object.keys(container.resources.limits).sort()).toEqual(['cpu', 'memory']);
    expect((find('DaemonSet') as unknown as { spec: DaemonSetSpec }).spec.template.metadata.annotations).toEqual({ 'prometheus.io/scrape': 'true', 'prometheus.io/port': String(port), 'prometheus.io/path': '/metrics' });
    // Every mount is a volume of the pod, and the host paths are the ones govd reads.
    const mounts = Object.fromEntries(container.volumeMounts.map((mount) => [mount.mountPath, spec.volumes.find((volume) => volume.name === mount.name)]));
    expect(mounts['/etc/gov']?.configMap?.name).toBe(find('ConfigMap').metadata.name);
    expect([mounts[config.daemon.state_dir]?.hostPath?.path, mounts['/sys/fs/cgroup']?.hostPath?.path, mounts[config.kubernetes.pod_logs_dir]?.hostPath?.path]).toEqual(['/var/lib/gov', '/sys/fs/cgroup', '/var/log/pods']);
    expect(config.daemon.listen).toBe('0.0.0.0:7878');
    // Everything namespaced lives in the namespace the manifests create, and kustomize applies every file.
    const namespace = find('Namespace').metadata.name;
    expect(manifests.filter((manifest) => manifest.object.kind !== 'Namespace').map((manifest) => manifest.object.metadata.namespace)).toEqual(manifests.slice(1).map(() => namespace));
    const kustomization = parseAllDocuments(await readFile(join(MANIFESTS, 'kustomization.yaml'), 'utf8'))[0]?.toJS() as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual([...new Set(manifests.map((manifest) => manifest.file))].sort());
  });

  it('the Prometheus scrape job keeps exactly the DaemonSet\'s pods (Debian\'s promtool cannot check Kubernetes discovery)', async () => {
    const scrape = parseAllDocuments(await readFile(join(MANIFESTS, 'prometheus-scrape.yml'), 'utf8'))[0]?.toJS() as { scrape_configs: { job_name: string; kubernetes_sd_configs: { role: string }[]; relabel_configs: { source_labels?: string[]; regex?: string; action?: string }[] }[] };
    const [job] = scrape.scrape_configs;
    const daemonSet = (await readManifests()).find((manifest) => manifest.object.kind === 'DaemonSet')?.object as unknown as { spec: { template: { metadata: { labels: Record<string, string> } } } };
    expect(job?.kubernetes_sd_configs).toEqual([{ role: 'pod' }]);
    const keeps = (job?.relabel_configs ?? []).filter((rule) => rule.action === 'keep').map((rule) => [rule.source_labels, rule.regex]);
    expect(keeps).toEqual([
      [['__meta_kubernetes_pod_annotation_prometheus_io_scrape'], 'true'],
      [['__meta_kubernetes_pod_label_app_kubernetes_io_name'], daemonSet.spec.template.metadata.labels['app.kubernetes.io/name']],
    ]);
  });
});

// YAML for a list of Kubernetes objects: one document each, separated by `---`, with comment lines
// before the first. Strings that YAML would read as another type ("true", "65000") are quoted by
// the printer, so that every env value stays a string. The quoting follows YAML 1.1, which
// Kubernetes' parser (go-yaml through sigs.k8s.io/yaml) speaks: "on", "yes" and "1:30" are quoted too.
import { Document } from 'yaml';

export function toYaml(objects: readonly object[], header: readonly string[] = []): string {
  return objects
    .map((object, i) => {
      const doc = new Document(object, { version: '1.1', aliasDuplicateObjects: false });
      if (i === 0 && header.length > 0) doc.commentBefore = header.map((line) => ` ${line}`).join('\n');
      return doc.toString({ lineWidth: 0 });
    })
    .join('---\n');
}

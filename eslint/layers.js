// The layering of src/, as a lint rule: every top-level module of src/ (a folder, or a file of
// its own) has a rank, and a module may import only modules of a lower rank, each folder only
// through its index.ts. So data and control run one way (config and cluster → registry →
// reconcile → mode → routers), and a change inside a folder cannot leak past its entry point.
import path from 'node:path';

/** The first path segment under `root`, without `.ts`/`.js`: 'config', 'daemon'; undefined outside. */
function moduleOf(file, root) {
  const rel = path.relative(root, file);
  if (rel.startsWith('..') || path.isAbsolute(rel)) return undefined;
  const [first, ...rest] = rel.split(path.sep);
  return { name: first.replace(/\.(ts|js)$/, ''), folder: rest.length > 0, inner: rest.join('/') };
}

/**
 * `ranks`: module name → rank (lower ranks are lower layers). `root`: the absolute path of src/.
 */
export function layersRule(ranks, root) {
  return {
    meta: {
      type: 'problem',
      docs: { description: 'src/ modules import only lower layers, folders only through their index.ts' },
      schema: [],
    },
    create(context) {
      const from = moduleOf(context.filename, root);
      if (!from) return {};
      const check = (node, spec) => {
        if (typeof spec !== 'string' || !spec.startsWith('.')) return;
        const target = moduleOf(path.resolve(path.dirname(context.filename), spec), root);
        if (!target || target.name === from.name) return;
        const mine = ranks[from.name];
        const theirs = ranks[target.name];
        if (mine === undefined) return context.report({ node, message: `src/${from.name} has no layer: give it a rank in eslint.config.js` });
        if (theirs === undefined) return context.report({ node, message: `src/${target.name} has no layer: give it a rank in eslint.config.js` });
        if (theirs >= mine) {
          return context.report({ node, message: `src/${from.name} (layer ${mine}) must not import src/${target.name} (layer ${theirs}): a module imports only lower layers` });
        }
        if (target.folder && target.inner !== 'index.js' && target.inner !== 'index.ts') {
          context.report({ node, message: `src/${target.name}/ is used through its index.ts, not ${target.name}/${target.inner}` });
        }
      };
      return {
        ImportDeclaration: (node) => check(node, node.source.value),
        ExportNamedDeclaration: (node) => node.source && check(node, node.source.value),
        ExportAllDeclaration: (node) => check(node, node.source.value),
        ImportExpression: (node) => node.source.type === 'Literal' && check(node, node.source.value),
        TSImportType: (node) => {
          const arg = node.argument?.literal ?? node.argument;
          if (arg?.type === 'Literal') check(node, arg.value);
        },
      };
    },
  };
}

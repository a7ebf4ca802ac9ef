// Configuration of `cem analyze` (run by `npm run build`), which writes custom-elements.json from
// the elements' JSDoc and code. Two plugins make the manifest describe the public API only:
// - elements are registered with our `define('un75-…', Class)` helper, which the analyzer does not
//   know: the first plugin reads those calls, so every element gets its tag name (and its module a
//   `custom-element-definition` export) without a `@tag` to keep in step with the code;
// - reactive internal state (`static properties = { x: { state: true } }`), `_`-prefixed and
//   `#private` members are not API: the second drops them from attributes and members, and drops
//   events the analyzer guessed from a variable event name (`new CustomEvent(type, …)`): every real
//   event is documented with `@fires`, so an event without a description is such a guess.

/** Class name → tag, from `define('tag', Class)` calls; class name → names of state fields. */
const tags = new Map();
const states = new Map();

function un75Define() {
  return {
    name: 'un75-define',
    analyzePhase({ ts, node, moduleDoc }) {
      if (!ts.isCallExpression(node) || !ts.isIdentifier(node.expression) || node.expression.text !== 'define') return;
      const [name, constructor] = node.arguments;
      if (!name || !constructor || !ts.isStringLiteral(name) || !ts.isIdentifier(constructor)) return;
      tags.set(constructor.text, name.text);
      moduleDoc.exports ??= [];
      moduleDoc.exports.push({ kind: 'custom-element-definition', name: name.text, declaration: { name: constructor.text, module: moduleDoc.path } });
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          const tag = tags.get(declaration.name);
          if (declaration.kind === 'class' && tag) {
            declaration.tagName = tag;
            declaration.customElement = true;
          }
        }
        // The analyzer reads the helper's own `customElements.define(name, constructor)` as a
        // definition of an element named "name": only our `define` calls name elements.
        if (mod.exports) mod.exports = mod.exports.filter((e) => e.kind !== 'custom-element-definition' || tags.get(e.declaration.name) === e.name);
        // The definition points at the module that declares the class, not at the re-export.
        for (const exp of mod.exports ?? []) {
          if (exp.kind !== 'custom-element-definition') continue;
          const home = customElementsManifest.modules.find((m) => m.declarations?.some((d) => d.name === exp.declaration.name));
          if (home) exp.declaration.module = home.path;
        }
      }
    },
  };
}

function publicApiOnly() {
  return {
    name: 'un75-public-api-only',
    analyzePhase({ ts, node }) {
      if (!ts.isClassDeclaration(node) || !node.name) return;
      for (const member of node.members) {
        if (!ts.isPropertyDeclaration(member) || member.name.getText() !== 'properties') continue;
        if (!member.modifiers?.some((m) => m.kind === ts.SyntaxKind.StaticKeyword)) continue;
        if (!member.initializer || !ts.isObjectLiteralExpression(member.initializer)) continue;
        const names = new Set();
        for (const property of member.initializer.properties) {
          if (!ts.isPropertyAssignment(property) || !ts.isObjectLiteralExpression(property.initializer)) continue;
          const state = property.initializer.properties.some(
            (p) => ts.isPropertyAssignment(p) && p.name.getText() === 'state' && p.initializer.kind === ts.SyntaxKind.TrueKeyword,
          );
          if (state) names.add(property.name.getText().replace(/^['"]|['"]$/g, ''));
        }
        states.set(node.name.text, names);
      }
    },
    packageLinkPhase({ customElementsManifest }) {
      for (const mod of customElementsManifest.modules) {
        for (const declaration of mod.declarations ?? []) {
          if (declaration.kind !== 'class') continue;
          const state = states.get(declaration.name) ?? new Set();
          const internal = (name) => !name || state.has(name) || name.startsWith('_') || name.startsWith('#');
          if (declaration.attributes) declaration.attributes = declaration.attributes.filter((a) => !internal(a.fieldName ?? a.name));
          if (declaration.members) {
            declaration.members = declaration.members
              .filter((m) => !internal(m.name) && m.privacy !== 'private' && m.privacy !== 'protected')
              .map((m) => (m.attribute && internal(m.attribute) ? { ...m, attribute: undefined } : m));
          }
          if (declaration.events) declaration.events = declaration.events.filter((e) => e.name && e.description);
        }
      }
    },
  };
}

export default {
  globs: ['src/components/**/*.ts'],
  exclude: ['src/**/*.styles.ts'],
  outdir: '.',
  litelement: true,
  plugins: [un75Define(), publicApiOnly()],
};

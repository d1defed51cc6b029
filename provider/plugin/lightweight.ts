/**
 * Loaded before @pulumi/pulumi (first import of main.ts; `--require` for the language-host route): the SDK's index
 * eagerly loads the TypeScript compiler and npm's arborist for function serialization and the source-component
 * analyzer, neither of which a provider serving a precompiled schema uses (~150 ms and ~50 MB per start). They are
 * replaced by stand-ins that fail loudly if anything does use them; TypeScript is never loaded at run time.
 * The release plugin's bundle (provider/tools/release/bundle.ts) puts the same stand-ins in place of those modules.
 */
// eslint-disable-next-line @typescript-eslint/no-require-imports
const Module = require("module");

/** The module requests that get a stand-in instead of the module. */
export const NOT_LOADED = /^(typescript|.*[\\/]typescript-shim|@npmcli\/arborist)$/;

/** An object that fails, naming `request`, on any use other than the SDK's interop probes. */
export function standIn(request: string): object {
    return new Proxy(
        {},
        {
            get(_target, key) {
                if (key === "__esModule" || typeof key === "symbol") {
                    return undefined;
                }
                throw new Error(`the eks-pod-identity provider does not load ${request} (used for ${String(key)}): it serves a precompiled schema and does not serialize functions`);
            },
        },
    );
}

if (!Module.__eksPodIdentityLightweight) {
    Module.__eksPodIdentityLightweight = true;
    const load = Module._load;
    Module._load = function (request: string, ...rest: unknown[]) {
        return NOT_LOADED.test(request) ? standIn(request) : load.call(this, request, ...rest);
    };
}

/**
 * Things that may exist once per cluster (a Pod Identity association per service account, the agent add-on,
 * a namespace), claimed by the components of one program. A second claim is a preview error naming both
 * claimants, instead of an AWS `ResourceInUseException` (or a Kubernetes "already exists") halfway through `up`.
 */

const claims = new Map<string, string>();

/** Records `claimant` as owner of `key`; returns the earlier owner when the key was already claimed. */
export function claim(kind: string, key: string, claimant: string): string | undefined {
    const id = `${kind}\u0000${key}`;
    const owner = claims.get(id);
    if (owner !== undefined && owner !== claimant) {
        return owner;
    }
    claims.set(id, claimant);
    return undefined;
}

/**
 * Forgets every claim: a new program starts. One program runs per process under the Pulumi CLI; the unit tests'
 * harness runs many in one process, and calls this between programs that reuse names.
 */
export function forgetClaims(): void {
    claims.clear();
}

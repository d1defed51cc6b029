import * as pulumi from "@pulumi/pulumi";
import { parsePolicyArn } from "../iam/arn";

/**
 * Names of the managed-policy attachments `<component>-managed-<suffix>`. A URN is type, parent and name, so two
 * attachments with one name would be one URN, which the engine refuses ("Duplicate resource URN"). The suffix has
 * always been the policy's name (the ARN's last segment), and renaming a child replaces it in existing stacks (for an
 * attachment: the new one is a no-op in IAM, then deleting the old one detaches the policy). So the suffix stays the
 * policy name whenever that is unique, and only a clash is disambiguated, from the ARN itself: the first ARN in list
 * order keeps the plain name (an ARN appended to an existing list leaves the existing child alone), a later one gets
 * its account (`aws` for AWS-managed policies) and path appended. Values known only later are named by their index,
 * as before. Uniqueness is by construction: a name still taken after all that gets the list index too.
 */
export function managedAttachmentSuffixes(arns: pulumi.Input<string>[]): string[] {
    const taken = new Set<string>();
    const plainNames = arns.map((arn) => (typeof arn === "string" ? arn.split("/").pop()! : undefined));
    return arns.map((arn, i) => {
        const candidates = [plainNames[i] ?? String(i), ...(typeof arn === "string" ? [qualified(arn, plainNames[i]!)] : []), `${plainNames[i] ?? "arn"}-${i}`];
        const suffix = candidates.find((c) => !taken.has(c) && !(typeof arn !== "string" && plainNames.includes(c))) ?? `${i}-${taken.size}`;
        taken.add(suffix);
        return suffix;
    });
}

/** `ReadOnlyAccess-123456789012-team` for `arn:aws:iam::123456789012:policy/team/ReadOnlyAccess`. */
function qualified(arn: string, name: string): string {
    const parsed = parsePolicyArn(arn);
    if (!parsed) {
        return `${name}-${arn.replace(/[^A-Za-z0-9]+/g, "-")}`;
    }
    const path = parsed.path.split("/").filter((segment) => segment !== "");
    return [name, parsed.accountId, ...path].join("-");
}

/**
 * Recovery after a kill, the parts without a CLI: which pending creates need an EKS lookup, what is adopted from what
 * EKS answers (and what is refused), and the EKS API of the aws double that the e2e suite's recovery talks to, called
 * by the portal's own signed client.
 */
import test from "ava";
import { AwsServiceError } from "../../examples/portal/awsSigning";
import { EksClient, eksEndpoint } from "../../examples/portal/eks";
import { ASSOCIATION_TYPE, adoptPendingCreates, adoptedAssociation, associationLookups, pendingImports } from "../../examples/portal/pendingCreates";
import { AwsSigner } from "../../examples/portal/awsSigning";
import { EKS_CREDENTIALS, EksApi, startEksApi } from "../e2e/support/eksApi";
import { REGION, podIdentityAssociationArnOf, providerIdOf, roleArnOf } from "../support/awsIds";

const CLUSTER = "prod";
const ROLE_ARN = roleArnOf("w-role-4f1c2a9");
const urn = (type: string, name: string) => `urn:pulumi:w::p::eks-pod-identity:index:PodIdentityWorkload$${type}::${name}`;
const ASSOCIATION_URN = urn(ASSOCIATION_TYPE, "w-association");
const associationInputs = { clusterName: CLUSTER, namespace: "orders", serviceAccount: "api", roleArn: ROLE_ARN, tags: { team: "payments" } };

/** An association as the double's table (and DescribePodIdentityAssociation) holds it. */
function association(id: string, overrides: Record<string, unknown> = {}): Record<string, any> {
    return { ...associationInputs, associationId: id, associationArn: podIdentityAssociationArnOf(CLUSTER, id), disableSessionTags: false, ...overrides };
}

let api: EksApi;
let table: Record<string, any>[] = [];
const env = () => ({ ...EKS_CREDENTIALS, AWS_ENDPOINT_URL_EKS: api.endpoint });

test.before(async () => {
    api = await startEksApi(CLUSTER, () => table);
});

test.after.always(async () => {
    await api?.stop();
});

test("the pending association creates to look up: creates with their cluster, namespace, service account and role; nothing else", (t) => {
    const pending = [
        { type: "creating", resource: { urn: ASSOCIATION_URN, type: ASSOCIATION_TYPE, inputs: associationInputs } },
        { type: "creating", resource: { urn: urn(ASSOCIATION_TYPE, "x"), type: ASSOCIATION_TYPE, inputs: { ...associationInputs, targetRoleArn: "arn:aws:iam::222233334444:role/reader" } } },
        { type: "creating", resource: { urn: urn(ASSOCIATION_TYPE, "no-role"), type: ASSOCIATION_TYPE, inputs: { clusterName: CLUSTER, namespace: "orders", serviceAccount: "api" } } },
        { type: "deleting", resource: { urn: urn(ASSOCIATION_TYPE, "old"), type: ASSOCIATION_TYPE, inputs: associationInputs } },
        { type: "creating", resource: { urn: urn("aws:iam/role:Role", "w-role"), type: "aws:iam/role:Role", inputs: { name: "w-role-4f1c2a9" } } },
    ];
    t.deepEqual(associationLookups(pending), [
        { urn: ASSOCIATION_URN, clusterName: CLUSTER, namespace: "orders", serviceAccount: "api", roleArn: ROLE_ARN },
        { urn: urn(ASSOCIATION_TYPE, "x"), clusterName: CLUSTER, namespace: "orders", serviceAccount: "api", roleArn: ROLE_ARN, targetRoleArn: "arn:aws:iam::222233334444:role/reader" },
    ]);
    t.deepEqual(pendingImports(pending).map((i) => i.urn), [pending[4].resource.urn], "an association's id never comes from its inputs");
});

test("an association with the create's role is adopted with the provider's id and what EKS assigned; none: nothing to adopt", (t) => {
    const [lookup] = associationLookups([{ type: "creating", resource: { urn: ASSOCIATION_URN, type: ASSOCIATION_TYPE, inputs: associationInputs } }]);
    const found = association("a-0123456789abcdefg");
    t.deepEqual(adoptedAssociation(lookup, found as any), {
        adopt: {
            urn: ASSOCIATION_URN,
            id: providerIdOf.podIdentityAssociation(CLUSTER, "a-0123456789abcdefg"),
            outputs: { associationId: "a-0123456789abcdefg", associationArn: podIdentityAssociationArnOf(CLUSTER, "a-0123456789abcdefg"), disableSessionTags: false },
        },
    });
    t.deepEqual(adoptedAssociation(lookup, undefined), { absent: true });
});

test("an association of the service account with another role (or target role) is refused, naming both roles and how to remove it", (t) => {
    const [lookup] = associationLookups([{ type: "creating", resource: { urn: ASSOCIATION_URN, type: ASSOCIATION_TYPE, inputs: associationInputs } }]);
    const other = roleArnOf("someone-else");
    const refused = adoptedAssociation(lookup, association("a-0000000000000othr", { roleArn: other }) as any);
    t.true("refused" in refused);
    const message = (refused as { refused: string }).refused;
    t.regex(message, /association a-0000000000000othr of orders\/api in cluster prod has role arn:aws:iam::123456789012:role\/someone-else, not this workload's arn:aws:iam::123456789012:role\/w-role-4f1c2a9: not adopted/);
    t.regex(message, /aws eks delete-pod-identity-association --cluster-name prod --association-id a-0000000000000othr/);
    const target = adoptedAssociation(lookup, association("a-0000000000000trgt", { targetRoleArn: "arn:aws:iam::222233334444:role/reader" }) as any);
    t.regex((target as { refused: string }).refused, /target arn:aws:iam::222233334444:role\/reader/);
    t.true("refused" in adoptedAssociation(lookup, association("a-0000000000000nsps", { namespace: "other" }) as any), "EKS's answer for another service account is not taken");
});

test("adopting records what EKS assigned beside the inputs; role policy attachments are adopted as <role>-<policy ARN>", (t) => {
    const attachment = { urn: urn("aws:iam/rolePolicyAttachment:RolePolicyAttachment", "w-managed-0"), type: "aws:iam/rolePolicyAttachment:RolePolicyAttachment", inputs: { role: "w-role-4f1c2a9", policyArn: "arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" } };
    const pending = [
        { type: "creating", resource: { urn: ASSOCIATION_URN, type: ASSOCIATION_TYPE, inputs: associationInputs } },
        { type: "creating", resource: attachment },
    ];
    const imports = pendingImports(pending);
    t.deepEqual(imports, [{ urn: attachment.urn, id: "w-role-4f1c2a9-arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess" }]);
    const adoption = adoptedAssociation(associationLookups(pending)[0], association("a-0123456789abcdefg") as any);
    const state = adoptPendingCreates<{ deployment: any }>({ deployment: { resources: [], pending_operations: pending } }, [...imports, (adoption as any).adopt]);
    t.deepEqual(state.deployment.pending_operations, []);
    const adopted = state.deployment.resources.find((r: any) => r.urn === ASSOCIATION_URN)!;
    t.is(adopted.id, "prod,a-0123456789abcdefg");
    t.deepEqual(adopted.outputs, { ...associationInputs, associationId: "a-0123456789abcdefg", associationArn: podIdentityAssociationArnOf(CLUSTER, "a-0123456789abcdefg"), disableSessionTags: false });
});

test("the EKS endpoint: AWS_ENDPOINT_URL_EKS when set, else the region's", (t) => {
    t.is(eksEndpoint("eu-west-1", {}).href, "https://eks.eu-west-1.amazonaws.com/");
    t.is(eksEndpoint("eu-west-1", { AWS_ENDPOINT_URL_EKS: "http://127.0.0.1:4566" }).href, "http://127.0.0.1:4566/");
    t.throws(() => new EksClient(REGION, {}), { message: /looking up EKS Pod Identity associations needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY/ });
});

test.serial("the double's EKS API answers the portal's signed lookups from its association table", async (t) => {
    table = [association("a-0123456789abcdefg"), association("a-00000000000other", { namespace: "billing" })];
    const eks = new EksClient(REGION, env());
    const mark = api.requests.length;
    t.deepEqual(await eks.findPodIdentityAssociation(CLUSTER, "orders", "api"), {
        ...association("a-0123456789abcdefg"),
        createdAt: 1795953600,
        modifiedAt: 1795953600,
    });
    t.is(await eks.findPodIdentityAssociation(CLUSTER, "orders", "worker"), undefined);
    t.deepEqual(
        api.requests.slice(mark).map((r) => [r.path, r.query, r.status]),
        [
            ["/clusters/prod/pod-identity-associations", { namespace: "orders", serviceAccount: "api" }, 200],
            ["/clusters/prod/pod-identity-associations/a-0123456789abcdefg", {}, 200],
            ["/clusters/prod/pod-identity-associations", { namespace: "orders", serviceAccount: "worker" }, 200],
        ],
    );
    const missing = await t.throwsAsync(eks.findPodIdentityAssociation("staging", "orders", "api"));
    t.like(missing as AwsServiceError, { status: 404, code: "ResourceNotFoundException" });
});

test.serial("the double's EKS API refuses what EKS would: unsigned, another region or service, an unknown key, an unknown call", async (t) => {
    table = [association("a-0123456789abcdefg")];
    const path = "/clusters/prod/pod-identity-associations";
    const unsigned = await fetch(`${api.endpoint}${path}?namespace=orders&serviceAccount=api`);
    t.is(unsigned.status, 403);
    t.is(unsigned.headers.get("x-amzn-errortype"), "MissingAuthenticationTokenException");
    t.deepEqual(await unsigned.json(), { message: "Missing Authentication Token" });

    const endpoint = new URL(api.endpoint);
    const refusal = async (signer: AwsSigner, call: { method?: string; path?: string; query?: Record<string, string> } = {}) => {
        const response = await signer.fetch({ method: call.method ?? "GET", endpoint, path: call.path ?? path, query: call.query ?? { namespace: "orders" } });
        return [response.status, response.headers.get("x-amzn-errortype"), ((await response.json()) as any).message];
    };
    const [status, code, message] = await refusal(new AwsSigner("eks", "eu-west-1", EKS_CREDENTIALS, "test"));
    t.deepEqual([status, code], [403, "InvalidSignatureException"]);
    t.regex(message, /valid region/);
    t.deepEqual((await refusal(new AwsSigner("s3", REGION, EKS_CREDENTIALS, "test"))).slice(0, 2), [403, "InvalidSignatureException"]);
    t.deepEqual((await refusal(new AwsSigner("eks", REGION, { ...EKS_CREDENTIALS, AWS_SECRET_ACCESS_KEY: "wrong" }, "test"))).slice(0, 2), [403, "InvalidSignatureException"]);
    t.deepEqual((await refusal(new AwsSigner("eks", REGION, { ...EKS_CREDENTIALS, AWS_ACCESS_KEY_ID: "AKIAOTHER" }, "test"))).slice(0, 2), [403, "UnrecognizedClientException"]);
    const signer = new AwsSigner("eks", REGION, EKS_CREDENTIALS, "test");
    t.deepEqual((await refusal(signer, { method: "DELETE", path: `${path}/a-0123456789abcdefg`, query: {} })).slice(0, 2), [404, "UnknownOperationException"]);
    t.deepEqual((await refusal(signer, { path: "/clusters/prod/addons", query: {} })).slice(0, 2), [404, "UnknownOperationException"]);
    t.deepEqual((await refusal(signer, { query: { role: "x" } })).slice(0, 2), [400, "InvalidParameterException"]);
    t.deepEqual((await refusal(signer, { query: { maxResults: "500" } })).slice(0, 2), [400, "InvalidParameterException"]);
    t.deepEqual(await refusal(signer, { path: `${path}/a-00000000000000none`, query: {} }), [404, "ResourceNotFoundException", "Pod Identity association a-00000000000000none not found in cluster prod."]);
    // The client reports the code and message of a refusal.
    const error = await t.throwsAsync(new EksClient(REGION, { ...env(), AWS_ACCESS_KEY_ID: "AKIAOTHER" }).findPodIdentityAssociation(CLUSTER, "orders", "api"));
    t.is(error?.message, "EKS ListPodIdentityAssociations: 403 UnrecognizedClientException: The security token included in the request is invalid.");
});

"""One PodIdentityWorkload built through the generated Python SDK (sdk/python).

The body is a function so that the same program runs under ``pulumi up`` (__main__.py) and as an Automation API
inline program.
"""

import pulumi
import pulumi_eks_pod_identity as podidentity


def program() -> None:
    config = pulumi.Config()
    workload = podidentity.PodIdentityWorkload(
        "sdk-example",
        cluster_name=config.require("clusterName"),
        cluster_arn=config.require("clusterArn"),
        namespace=config.get("namespace") or "payments",
        service_account_name=config.get("serviceAccount") or "api",
        role=podidentity.RoleSettingsArgs(path=config.get("rolePath") or "/"),
        managed_policy_arns=["arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess"],
        policy_statements=[
            podidentity.PolicyStatementArgs(
                sid="ReadExampleParameters",
                effect=podidentity.PolicyStatementEffect.ALLOW,
                actions=["ssm:GetParameter"],
                resources=["arn:aws:ssm:*:*:parameter/sdk-example/*"],
            )
        ],
        workload=podidentity.WorkloadSettingsArgs(
            image="public.ecr.aws/aws-cli/aws-cli:2.17.0",
            command=["sh", "-c", "aws sts get-caller-identity; sleep 3600"],
            run_as_user=1000,
        ),
    )
    pulumi.export("roleArn", workload.role_arn)
    pulumi.export("roleName", workload.role_name)
    pulumi.export("associationArn", workload.association_arn)
    pulumi.export("associationId", workload.association_id)
    pulumi.export("namespace", workload.namespace)
    pulumi.export("serviceAccountName", workload.service_account_name)
    pulumi.export("deploymentName", workload.deployment_name)
    pulumi.export("trustPolicy", workload.trust_policy)
    pulumi.export("permissionsPolicy", workload.permissions_policy)
    pulumi.export("credentialsRevision", workload.credentials_revision)
    pulumi.export("awsProfiles", workload.aws_profiles)

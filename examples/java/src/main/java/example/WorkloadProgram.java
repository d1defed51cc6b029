package example;

import com.pulumi.Context;
import com.pulumi.ekspodidentity.PodIdentityWorkload;
import com.pulumi.ekspodidentity.PodIdentityWorkloadArgs;
import com.pulumi.ekspodidentity.enums.PolicyStatementEffect;
import com.pulumi.ekspodidentity.inputs.PolicyStatementArgs;
import com.pulumi.ekspodidentity.inputs.RoleSettingsArgs;
import com.pulumi.ekspodidentity.inputs.WorkloadSettingsArgs;

/**
 * One PodIdentityWorkload built through the generated Java SDK (sdk/java). The body is a method so that the same
 * program runs under {@code pulumi up} ({@link App}) and as an Automation API inline program.
 */
public final class WorkloadProgram {
    private WorkloadProgram() {
    }

    public static void program(Context ctx) {
        var config = ctx.config();
        var workload = new PodIdentityWorkload("sdk-example", PodIdentityWorkloadArgs.builder()
                .clusterName(config.require("clusterName"))
                .clusterArn(config.require("clusterArn"))
                .namespace(config.get("namespace").orElse("payments"))
                .serviceAccountName(config.get("serviceAccount").orElse("api"))
                .role(RoleSettingsArgs.builder().path(config.get("rolePath").orElse("/")).build())
                .managedPolicyArns("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")
                .policyStatements(PolicyStatementArgs.builder()
                        .sid("ReadExampleParameters")
                        .effect(PolicyStatementEffect.Allow)
                        .actions("ssm:GetParameter")
                        .resources("arn:aws:ssm:*:*:parameter/sdk-example/*")
                        .build())
                .workload(WorkloadSettingsArgs.builder()
                        .image("public.ecr.aws/aws-cli/aws-cli:2.17.0")
                        .command("sh", "-c", "aws sts get-caller-identity; sleep 3600")
                        .runAsUser(1000)
                        .build())
                .build());
        ctx.export("roleArn", workload.roleArn());
        ctx.export("roleName", workload.roleName());
        ctx.export("associationArn", workload.associationArn());
        ctx.export("associationId", workload.associationId());
        ctx.export("namespace", workload.namespace());
        ctx.export("serviceAccountName", workload.serviceAccountName());
        ctx.export("deploymentName", workload.deploymentName());
        ctx.export("trustPolicy", workload.trustPolicy());
        ctx.export("permissionsPolicy", workload.permissionsPolicy());
        ctx.export("credentialsRevision", workload.credentialsRevision());
        ctx.export("awsProfiles", workload.awsProfiles());
    }
}

// Package workload is one PodIdentityWorkload built through the generated Go SDK (sdk/go/ekspodidentity). The
// body is a function so that the same program runs under `pulumi up` (main.go) and as an Automation API inline
// program.
package workload

import (
	"github.com/pulumi-eks-pod-identity/pulumi-eks-pod-identity/sdk/go/ekspodidentity"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi"
	"github.com/pulumi/pulumi/sdk/v3/go/pulumi/config"
)

// Program creates the workload and exports its outputs.
func Program(ctx *pulumi.Context) error {
	effect := ekspodidentity.PolicyStatementEffectAllow
	sid := "ReadExampleParameters"
	runAsUser := 1000
	rolePath := config.Get(ctx, "rolePath")
	if rolePath == "" {
		rolePath = "/"
	}
	workload, err := ekspodidentity.NewPodIdentityWorkload(ctx, "sdk-example", &ekspodidentity.PodIdentityWorkloadArgs{
		ClusterName:        pulumi.String(config.Require(ctx, "clusterName")),
		ClusterArn:         pulumi.String(config.Require(ctx, "clusterArn")),
		Namespace:          pulumi.String(orDefault(config.Get(ctx, "namespace"), "payments")),
		ServiceAccountName: pulumi.String(orDefault(config.Get(ctx, "serviceAccount"), "api")),
		Role:               &ekspodidentity.RoleSettingsArgs{Path: &rolePath},
		ManagedPolicyArns:  []pulumi.StringInput{pulumi.String("arn:aws:iam::aws:policy/AmazonS3ReadOnlyAccess")},
		PolicyStatements: []ekspodidentity.PolicyStatementArgs{{
			Sid:       &sid,
			Effect:    &effect,
			Actions:   []string{"ssm:GetParameter"},
			Resources: []pulumi.StringInput{pulumi.String("arn:aws:ssm:*:*:parameter/sdk-example/*")},
		}},
		Workload: &ekspodidentity.WorkloadSettingsArgs{
			Image: pulumi.String("public.ecr.aws/aws-cli/aws-cli:2.17.0"),
			Command: []pulumi.StringInput{
				pulumi.String("sh"), pulumi.String("-c"), pulumi.String("aws sts get-caller-identity; sleep 3600"),
			},
			RunAsUser: &runAsUser,
		},
	})
	if err != nil {
		return err
	}
	ctx.Export("roleArn", workload.RoleArn)
	ctx.Export("roleName", workload.RoleName)
	ctx.Export("associationArn", workload.AssociationArn)
	ctx.Export("associationId", workload.AssociationId)
	ctx.Export("namespace", workload.Namespace)
	ctx.Export("serviceAccountName", workload.ServiceAccountName)
	ctx.Export("deploymentName", workload.DeploymentName)
	ctx.Export("trustPolicy", workload.TrustPolicy)
	ctx.Export("permissionsPolicy", workload.PermissionsPolicy)
	ctx.Export("credentialsRevision", workload.CredentialsRevision)
	ctx.Export("awsProfiles", workload.AwsProfiles)
	return nil
}

func orDefault(value, fallback string) string {
	if value == "" {
		return fallback
	}
	return value
}

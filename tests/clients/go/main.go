// Command caller-identity is the Go SDK v2 client of the cross-account proofs (tests/cross-account-chain.test.ts):
// run in a pod's environment, it loads the default configuration the way an application does (AWS_CONFIG_FILE and
// AWS_PROFILE select the rendered profile), calls STS GetCallerIdentity with the resolved credentials and prints one
// JSON line: {"ok":true,"arn":…,"account":…} or {"ok":false,"error":<API error code>,"message":…}. It never prints
// a credential.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go"
)

type outcome struct {
	OK      bool   `json:"ok"`
	Arn     string `json:"arn,omitempty"`
	Account string `json:"account,omitempty"`
	Error   string `json:"error,omitempty"`
	Message string `json:"message,omitempty"`
}

// The SDK itself puts no deadline on credential resolution; the harness must not hang on a broken chain.
const callDeadline = 20 * time.Second

func callerIdentity(ctx context.Context) outcome {
	cfg, err := config.LoadDefaultConfig(ctx)
	if err != nil {
		return outcome{Error: "LoadDefaultConfig", Message: err.Error()}
	}
	identity, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	if err != nil {
		// A failed AssumeRole surfaces wrapped in the credential retrieval error of GetCallerIdentity.
		var apiError smithy.APIError
		if errors.As(err, &apiError) {
			return outcome{Error: apiError.ErrorCode(), Message: err.Error()}
		}
		return outcome{Error: fmt.Sprintf("%T", err), Message: err.Error()}
	}
	return outcome{OK: true, Arn: aws.ToString(identity.Arn), Account: aws.ToString(identity.Account)}
}

func main() {
	ctx, cancel := context.WithTimeout(context.Background(), callDeadline)
	defer cancel()
	line, err := json.Marshal(callerIdentity(ctx))
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}
	fmt.Println(string(line))
}

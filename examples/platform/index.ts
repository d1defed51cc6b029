// The platform stack (root Pulumi.yaml): `pulumi up` deploys every workload of the workloads file.
import { platformProgram } from "../../provider/platform/program";

export = platformProgram();

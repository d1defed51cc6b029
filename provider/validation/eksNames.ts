import { Problems, describe } from "./problems";

/**
 * EKS cluster names, as the EKS API reference states them for CreateCluster `name` (and so for the `clusterName` of
 * CreatePodIdentityAssociation and CreateAddon): 1–100 characters, `^[0-9A-Za-z][A-Za-z0-9\-_]*$`.
 */
const clusterNamePattern = /^[0-9A-Za-z][A-Za-z0-9_-]{0,99}$/;

export function checkClusterName(problems: Problems, value: string, path = "clusterName"): void {
    if (typeof value !== "string" || !clusterNamePattern.test(value)) {
        problems.add(path, `${describe(value)} is not an EKS cluster name: use 1 to 100 letters, digits, '-' and '_', starting with a letter or digit`);
    }
}

import * as aws from "@pulumi/aws";
import test from "ava";
import { run } from "./support/harness";

// The engine is process-global: tests run one at a time.
const serial = test.serial;

serial("a URN registered twice is refused with the real engine's message, and only once recorded", async (t) => {
    const r = await run(() => {
        new aws.iam.Policy("twice", { policy: "{}" });
        new aws.iam.Policy("twice", { policy: "{}" });
    });
    t.is(r.resources.filter((x) => x.name === "twice").length, 1);
    const messages = r.failures.map((e) => e.message);
    t.true(
        messages.some((m) => m.includes("Duplicate resource URN 'urn:pulumi:stack::project::aws:iam/policy:Policy::twice'; try giving it a unique name")),
        messages.join("\n"),
    );
});

serial("the same name under another type or parent is a different URN", async (t) => {
    const r = await run(() => {
        new aws.iam.Policy("same", { policy: "{}" });
        new aws.iam.Role("same", { assumeRolePolicy: "{}" });
    });
    t.deepEqual(r.failures, []);
    t.is(r.resources.length, 2);
});

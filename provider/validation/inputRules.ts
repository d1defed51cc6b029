import * as pulumi from "@pulumi/pulumi";
import { Problems, isDeeplyPlain } from "./problems";

/**
 * The one way a component checks an input that may be known now (a plain value) or only later (an Output or a
 * Promise, e.g. another resource's attribute): the same rule function runs either way, at the path the user wrote, so
 * a value gets the same verdict and the same message however it arrives.
 *
 * - Known now: the rule runs at once; its problems join the component's others and are thrown together
 *   ({@link InputRules.throwIfAny}) before the component registers anything.
 * - Known later: the rule runs as the value resolves; its problems are thrown as the component's input error, which
 *   rejects the Output returned here, so no resource reading the value (or anything derived from it) registers with a
 *   value the rule refused.
 *
 * Callers use what these functions return in place of the input, never the input as given: whatever a component
 * derives from a value (a role's name from its ARN, a rendered document) then only ever sees a value that passed.
 * The shape check (`shape.ts`) has already wrapped every Output leaf with its type check, so a rule sees a value of
 * the declared type, now or later.
 */

/** A rule on one value: records what is wrong (and how to fix it) at `path`; never throws. */
export type Rule<T> = (problems: Problems, path: string, value: T) => void;

export class InputRules {
    private closed = false;

    constructor(
        readonly component: string,
        /** Problems found now, thrown by {@link throwIfAny}. */
        readonly problems: Problems = new Problems(),
    ) {}

    /** One input checked by `rule`: now when plain, else as it resolves. Returns the value to use instead of `input`. */
    check<T>(path: string, input: pulumi.Input<T>, rule: Rule<T>): pulumi.Input<T>;
    check<T>(path: string, input: pulumi.Input<T> | undefined, rule: Rule<T>): pulumi.Input<T> | undefined;
    check<T>(path: string, input: pulumi.Input<T> | undefined, rule: Rule<T>): pulumi.Input<T> | undefined {
        if (input === undefined) {
            return undefined;
        }
        return this.whenKnown(input, (problems, value) => {
            rule(problems, path, value as T);
            return value as T;
        }) as pulumi.Input<T>;
    }

    /** Every element of a list input (`path[i]`), each checked by `rule` as {@link check} does. */
    checkEach<T>(path: string, inputs: pulumi.Input<T>[] | undefined, rule: Rule<T>): pulumi.Input<T>[] | undefined {
        return Array.isArray(inputs) ? inputs.map((input, i) => this.check(`${path}[${i}]`, input, rule)!) : undefined;
    }

    /**
     * `use` on a value that may hold Outputs at any depth (a policy document, a list of statements, a map): now, when
     * nothing in it is an Output or a Promise; else once every part is known. What `use` returns (a rendered
     * document, a derived name) is what the caller uses.
     */
    whenKnown<T, R>(input: T, use: (problems: Problems, resolved: pulumi.Unwrap<T>) => R): R | pulumi.Output<R> {
        if (!this.closed && isDeeplyPlain(input)) {
            return use(this.problems, input as pulumi.Unwrap<T>);
        }
        // After throwIfAny (the component is registering), what is found fails the Output, as for a value known later.
        return this.later(input, use);
    }

    /**
     * After throwIfAny, before the component registers: `use` on checked values for what must still refuse the
     * component before anything registers when they are plain (a claim on a name): at once, throwing the component's
     * input error; else as they resolve, like {@link whenKnown}.
     */
    beforeRegistering<T, R>(input: T, use: (problems: Problems, resolved: pulumi.Unwrap<T>) => R): R | pulumi.Output<R> {
        if (isDeeplyPlain(input)) {
            const now = new Problems();
            const result = use(now, input as pulumi.Unwrap<T>);
            now.throwIfAny(this.component);
            return result;
        }
        return this.later(input, use);
    }

    private later<T, R>(input: T, use: (problems: Problems, resolved: pulumi.Unwrap<T>) => R): pulumi.Output<R> {
        return pulumi.output(input).apply((resolved) => {
            const later = new Problems();
            const result = use(later, resolved as pulumi.Unwrap<T>);
            later.throwIfAny(this.component);
            return result;
        }) as pulumi.Output<R>;
    }

    /** Throws every problem found now as one input error; values known later are checked as they resolve. */
    throwIfAny(): void {
        this.closed = true;
        this.problems.throwIfAny(this.component);
    }
}

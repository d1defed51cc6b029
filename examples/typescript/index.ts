// Entry point for `pulumi up` in this folder: the stack outputs are what program() returns.
import { program } from "./program";

export = program;

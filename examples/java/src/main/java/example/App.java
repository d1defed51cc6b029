package example;

import com.pulumi.Pulumi;

/** Entry point for {@code pulumi up} in this folder. */
public final class App {
    private App() {
    }

    public static void main(String[] args) {
        Pulumi.run(WorkloadProgram::program);
    }
}

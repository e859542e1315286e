import com.sun.tools.attach.VirtualMachine;

/**
 * Loads a native agent into a running JVM with the given options (how profile.sh starts and stops
 * async-profiler in a running proxy). Run as a single-file program: {@code java AttachAgent.java PID LIB OPTIONS}.
 */
public final class AttachAgent {
    private AttachAgent() {
    }

    public static void main(String[] args) throws Exception {
        if (args.length != 3) {
            System.err.println("usage: java AttachAgent.java PID AGENT_LIBRARY OPTIONS");
            System.exit(2);
        }
        VirtualMachine vm = VirtualMachine.attach(args[0]);
        try {
            vm.loadAgentPath(args[1], args[2]);
        } finally {
            vm.detach();
        }
    }
}

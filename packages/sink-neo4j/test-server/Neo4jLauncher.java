import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;

import org.neo4j.configuration.GraphDatabaseInternalSettings;
import org.neo4j.configuration.GraphDatabaseSettings;
import org.neo4j.configuration.connectors.BoltConnector;
import org.neo4j.configuration.connectors.ConnectorPortRegister;
import org.neo4j.configuration.connectors.ConnectorType;
import org.neo4j.configuration.helpers.SocketAddress;
import org.neo4j.dbms.api.DatabaseManagementService;
import org.neo4j.dbms.api.DatabaseManagementServiceBuilder;
import org.neo4j.kernel.internal.GraphDatabaseAPI;

/**
 * Starts an embedded Neo4j 5.26 Community with Bolt on a loopback port, for Kurultai's tests and benchmarks.
 *
 * <p>Usage: {@code java -cp 'lib/*' Neo4jLauncher.java --home DIR [--port N] [--auth] [--stop-on-stdin-eof]}. Port 0 (the default)
 * lets the system choose. Once Bolt accepts connections it prints one line, {@code neo4j-test-server ready
 * bolt://127.0.0.1:PORT}, which the scripts wait for. It stops cleanly on SIGTERM/SIGINT and, with
 * {@code --stop-on-stdin-eof}, when its standard input closes: a parent that holds the pipe and dies (even by SIGKILL)
 * takes this server with it, so a crashed test run leaves no Neo4j behind.
 *
 * <p>Authentication is off (embedded default) unless {@code --auth} is given: then a client must log in as {@code neo4j}
 * with the password in the environment variable {@code NEO4J_TEST_SERVER_PASSWORD}. The page cache is small and
 * transaction logs are not preallocated, so a test server costs little disk and memory. The data stays in {@code --home}, so a restart on the same home and port
 * finds the same graph (the tests stop and start Neo4j in the middle of a run).
 */
public final class Neo4jLauncher {
    /** Where {@code --auth} takes the password of the user {@code neo4j} from. */
    private static final String PASSWORD_VARIABLE = "NEO4J_TEST_SERVER_PASSWORD";

    private Neo4jLauncher() {}

    public static void main(String[] args) throws Exception {
        Options options = Options.parse(args);
        String password = options.auth ? passwordFromEnvironment() : null;
        DatabaseManagementService service = new DatabaseManagementServiceBuilder(options.home)
                .setConfig(BoltConnector.enabled, true)
                .setConfig(BoltConnector.listen_address, new SocketAddress("127.0.0.1", options.port))
                .setConfig(GraphDatabaseSettings.auth_enabled, options.auth)
                .setConfig(GraphDatabaseSettings.pagecache_memory, 128L * 1024 * 1024)
                .setConfig(GraphDatabaseSettings.preallocate_logical_logs, false)
                .setConfig(GraphDatabaseSettings.preallocate_store_files, false)
                // Bolt's event loops otherwise wait for 5 s of quiet each before they stop, which made every stop take 10 s.
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_quiet_period, 0)
                .setConfig(GraphDatabaseInternalSettings.netty_server_shutdown_timeout, Duration.ofSeconds(5))
                .build();

        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            service.shutdown();
            stopped.countDown();
        }, "neo4j-test-server-shutdown"));
        if (password != null) setPassword(service, password);

        GraphDatabaseAPI database = (GraphDatabaseAPI) service.database(GraphDatabaseSettings.DEFAULT_DATABASE_NAME);
        var bolt = database.getDependencyResolver().resolveDependency(ConnectorPortRegister.class)
                .getLocalAddress(ConnectorType.BOLT);
        System.out.println("neo4j-test-server ready bolt://127.0.0.1:" + bolt.getPort());
        System.out.flush();

        if (options.stopOnStdinEof) {
            Thread watcher = new Thread(() -> {
                drain(System.in);
                System.exit(0); // runs the shutdown hook
            }, "neo4j-test-server-parent-watch");
            watcher.setDaemon(true);
            watcher.start();
        }
        stopped.await();
    }

    /** The password comes from the environment, never from the command line, which {@code ps} shows to every user. */
    private static String passwordFromEnvironment() {
        String password = System.getenv(PASSWORD_VARIABLE);
        if (password == null || password.length() < 8) {
            Options.fail("--auth takes the password of the user neo4j from " + PASSWORD_VARIABLE
                    + ", which must be set to at least 8 characters (Neo4j's minimum)");
        }
        return password;
    }

    /**
     * Gives the user {@code neo4j} the password on the system database, so a client logs in with it directly (a new
     * server's {@code neo4j}/{@code neo4j} must otherwise be changed first). Run on every start, since a restart on the
     * same home may bring another password; {@code CREATE OR REPLACE}, because {@code ALTER USER} refuses to set the
     * password a user already has. Community Edition has no roles, so replacing the user loses nothing.
     */
    private static void setPassword(DatabaseManagementService service, String password) {
        try {
            service.database(GraphDatabaseSettings.SYSTEM_DATABASE_NAME).executeTransactionally(
                    "CREATE OR REPLACE USER neo4j SET PLAINTEXT PASSWORD $password CHANGE NOT REQUIRED",
                    Map.of("password", password));
        } catch (RuntimeException failure) {
            System.err.println("neo4j-test-server: could not set the password of the user neo4j: " + failure.getMessage());
            System.exit(1); // runs the shutdown hook, which stops Neo4j
        }
    }

    private static void drain(InputStream in) {
        byte[] buffer = new byte[256];
        try {
            while (in.read(buffer) >= 0) {
                // Nothing is read from the parent; the pipe only tells us it is alive.
            }
        } catch (IOException closed) {
            // A broken pipe means the same as end of input: the parent is gone.
        }
    }

    private record Options(Path home, int port, boolean auth, boolean stopOnStdinEof) {
        static Options parse(String[] args) {
            Path home = null;
            int port = 0;
            boolean auth = false;
            boolean stopOnStdinEof = false;
            for (int i = 0; i < args.length; i++) {
                switch (args[i]) {
                    case "--home" -> home = Path.of(value(args, ++i, "--home")).toAbsolutePath();
                    case "--port" -> port = Integer.parseInt(value(args, ++i, "--port"));
                    case "--auth" -> auth = true;
                    case "--stop-on-stdin-eof" -> stopOnStdinEof = true;
                    default -> fail("unknown argument " + args[i]);
                }
            }
            if (home == null) fail("--home DIR is required");
            return new Options(home, port, auth, stopOnStdinEof);
        }

        private static String value(String[] args, int index, String flag) {
            if (index >= args.length) fail(flag + " needs a value");
            return args[index];
        }

        private static void fail(String message) {
            System.err.println("neo4j-test-server: " + message);
            System.err.println("usage: Neo4jLauncher.java --home DIR [--port N] [--auth] [--stop-on-stdin-eof]");
            System.exit(2);
        }
    }
}

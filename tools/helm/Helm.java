import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Real Helm (its Go library, through helm-java) without a helm binary. Single-file source launch:
 *   java -cp '.helm/libs/*' tools/helm/Helm.java lint <chart>
 *   java -cp '.helm/libs/*' tools/helm/Helm.java template <chart> [--name N] [--namespace NS] [-f values.yaml]...
 * lint prints Helm's messages and exits 1 when the chart fails (strict: warnings fail too);
 * template prints the rendered manifests, or Helm's error on stderr with exit 1.
 */
public class Helm {
  public static void main(String[] args) {
    if (args.length < 2) usage();
    Path chart = Path.of(args[1]);
    try {
      switch (args[0]) {
        case "lint" -> {
          LintResult result = new com.marcnuri.helm.Helm(chart).lint().strict().call();
          result.getMessages().forEach(System.out::println);
          System.exit(result.isFailed() ? 1 : 0);
        }
        case "template" -> {
          TemplateCommand template = new com.marcnuri.helm.Helm(chart).template().withName("easgate");
          String[] rest = Arrays.copyOfRange(args, 2, args.length);
          for (int i = 0; i < rest.length; i++) {
            switch (rest[i]) {
              case "--name" -> template = template.withName(rest[++i]);
              case "--namespace" -> template = template.withNamespace(rest[++i]);
              case "-f", "--values" -> template = template.withValuesFile(Path.of(rest[++i]));
              default -> usage();
            }
          }
          System.out.print(template.call());
          System.exit(0);
        }
        default -> usage();
      }
    } catch (RuntimeException e) {
      System.err.println("helm: " + e.getMessage());
      System.exit(1);
    }
  }

  private static void usage() {
    System.err.println("usage: Helm.java lint <chart> | template <chart> [--name N] [--namespace NS] [-f values.yaml]...");
    System.exit(2);
  }
}

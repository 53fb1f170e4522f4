package dev.walletledger.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The repository's Markdown, read as a reader of a fresh clone meets it: every relative link and image must
 * reach a file of the repository, every {@code #anchor} a heading of its target, and no README may point
 * outside the project or describe it by what it was derived from. All problems are reported at once.
 *
 * <p>Surefire runs this with the module directory ({@code wallet-cli}) as the working directory, so the
 * repository root is its parent.
 */
class DocsLinksTest {
    /** Directories that are build output, tooling or not part of a clone's documentation. */
    private static final Set<String> SKIPPED_DIRECTORIES = Set.of("target", ".git", "node_modules", ".idea");

    /** {@code [text](dest)} or {@code ![alt](dest)}, with an optional {@code "title"} after the destination. */
    private static final Pattern INLINE_LINK =
            Pattern.compile("!?\\[[^\\]]*\\]\\(\\s*<?([^)\\s>]*)>?(?:\\s+\"[^\"]*\")?\\s*\\)");

    /** A reference definition: {@code [label]: dest "title"}. */
    private static final Pattern REFERENCE_DEFINITION =
            Pattern.compile("^ {0,3}\\[[^\\]]+\\]:\\s*<?([^\\s>]+)>?(?:\\s+\"[^\"]*\")?\\s*$");

    /** An inline code span: a run of backticks, its content, and a run of the same length. */
    private static final Pattern CODE_SPAN = Pattern.compile("(`+)(.+?)(?<!`)\\1(?!`)");

    /** An ATX heading ({@code # Title}, optional closing hashes). The project writes no setext headings. */
    private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)(?:\\s+#+)?\\s*$");

    private static final Pattern THE_SEED = Pattern.compile("\\bthe seed\\b", Pattern.CASE_INSENSITIVE);

    private static final List<String> FORBIDDEN_IN_README = List.of("../shared", "shared/docs");

    @Test
    void everyLinkInTheMarkdownResolves() throws IOException {
        Path root = repositoryRoot();
        List<Path> markdown = markdownFiles(root);
        assertFalse(markdown.isEmpty(), "no Markdown files found under " + root);
        assertTrue(markdown.contains(root.resolve("README.md")), "the root README.md was not among " + markdown);

        List<String> problems = new ArrayList<>();
        Map<Path, Set<String>> anchorsByFile = new HashMap<>();
        for (Path file : markdown) {
            List<String> lines = Files.readAllLines(file, StandardCharsets.UTF_8);
            boolean readme = file.getFileName().toString().startsWith("README");
            boolean inFence = false;
            for (int i = 0; i < lines.size(); i++) {
                String line = lines.get(i);
                String where = root.relativize(file) + ":" + (i + 1) + ": ";
                if (readme) {
                    checkWording(line, where, problems);
                }
                if (isFence(line)) {
                    inFence = !inFence;
                    continue;
                }
                if (inFence) {
                    continue;
                }
                for (String destination : destinations(line)) {
                    String problem = checkDestination(root, file, destination, anchorsByFile);
                    if (problem != null) {
                        problems.add(where + problem);
                    }
                }
            }
            if (inFence) {
                problems.add(root.relativize(file) + ": a ``` code fence is never closed");
            }
        }
        if (!problems.isEmpty()) {
            fail(problems.size() + " problem(s) in the repository's Markdown:\n" + String.join("\n", problems));
        }
    }

    /** The parent of the working directory, checked to be the repository root. */
    private static Path repositoryRoot() {
        Path moduleDirectory = Path.of("").toAbsolutePath().normalize();
        Path root = moduleDirectory.getParent();
        if (root == null
                || !Files.isRegularFile(root.resolve("pom.xml"))
                || !Files.isRegularFile(root.resolve("README.md"))) {
            fail("expected to run in a module directory of the repository (as surefire does, in wallet-cli), whose"
                    + " parent holds pom.xml and README.md; the working directory is " + moduleDirectory);
        }
        return root;
    }

    /** Every {@code *.md} under the root, outside {@link #SKIPPED_DIRECTORIES}, in a stable order. */
    private static List<Path> markdownFiles(Path root) throws IOException {
        List<Path> found = new ArrayList<>();
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path directory, BasicFileAttributes attributes) {
                boolean skipped = !directory.equals(root)
                        && SKIPPED_DIRECTORIES.contains(directory.getFileName().toString());
                return skipped ? FileVisitResult.SKIP_SUBTREE : FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attributes) {
                if (attributes.isRegularFile() && file.getFileName().toString().endsWith(".md")) {
                    found.add(file);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        found.sort(null);
        return found;
    }

    private static boolean isFence(String line) {
        String stripped = line.strip();
        return stripped.startsWith("```") || stripped.startsWith("~~~");
    }

    /** The destinations of the line's links and images, outside inline code, without external URLs. */
    private static List<String> destinations(String line) {
        String text = CODE_SPAN.matcher(line).replaceAll("`code`");
        List<String> found = new ArrayList<>();
        Matcher inline = INLINE_LINK.matcher(text);
        while (inline.find()) {
            found.add(inline.group(1));
        }
        Matcher definition = REFERENCE_DEFINITION.matcher(text);
        if (definition.matches()) {
            found.add(definition.group(1));
        }
        found.removeIf(d -> d.startsWith("http://") || d.startsWith("https://") || d.startsWith("mailto:"));
        return found;
    }

    /** Why {@code destination}, written in {@code file}, does not resolve; null when it does. */
    private static String checkDestination(
            Path root, Path file, String destination, Map<Path, Set<String>> anchorsByFile) {
        int hash = destination.indexOf('#');
        String path = hash < 0 ? destination : destination.substring(0, hash);
        String fragment = hash < 0 ? null : destination.substring(hash + 1);
        // "/x" is the repository's root, as GitHub reads it: a module README reaches a sibling that way.
        Path target = path.isEmpty()
                ? file
                : path.startsWith("/")
                        ? root.resolve(path.substring(1)).normalize()
                        : file.getParent().resolve(path).normalize();
        if (!target.startsWith(root)) {
            return "link (" + destination + ") leads outside the repository, to " + target;
        }
        if (!Files.exists(target)) {
            return "link (" + destination + ") names a missing file: " + root.relativize(target);
        }
        if (fragment == null
                || !Files.isRegularFile(target)
                || !target.getFileName().toString().endsWith(".md")) {
            return null;
        }
        Set<String> anchors = anchorsByFile.computeIfAbsent(target, DocsLinksTest::readAnchors);
        if (!anchors.contains(fragment)) {
            return "link (" + destination + "): no heading of " + root.relativize(target) + " has the anchor #"
                    + fragment;
        }
        return null;
    }

    private static Set<String> readAnchors(Path file) {
        try {
            return anchors(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException("cannot read " + file, e);
        }
    }

    /** The GitHub anchors of Markdown headings (outside code fences), with -1, -2... for repeats. */
    static Set<String> anchors(List<String> lines) {
        Set<String> anchors = new HashSet<>();
        Map<String, Integer> seen = new HashMap<>();
        boolean inFence = false;
        for (String line : lines) {
            if (isFence(line)) {
                inFence = !inFence;
                continue;
            }
            Matcher heading = HEADING.matcher(line);
            if (inFence || !heading.matches()) {
                continue;
            }
            String slug = slug(heading.group(2));
            int repeat = seen.merge(slug, 1, Integer::sum) - 1;
            anchors.add(repeat == 0 ? slug : slug + "-" + repeat);
        }
        return anchors;
    }

    /** GitHub's heading anchor: lower case, only letters, digits, spaces, '-' and '_' kept, spaces as '-'. */
    static String slug(String heading) {
        String lower = heading.toLowerCase(Locale.ROOT);
        StringBuilder slug = new StringBuilder(lower.length());
        for (int i = 0; i < lower.length(); i++) {
            char c = lower.charAt(i);
            if (c == ' ') {
                slug.append('-');
            } else if (Character.isLetterOrDigit(c) || c == '-' || c == '_') {
                slug.append(c);
            }
        }
        return slug.toString();
    }

    /** A README speaks for this project alone: no paths outside it, no "the seed" it was derived from. */
    private static void checkWording(String line, String where, List<String> problems) {
        for (String forbidden : FORBIDDEN_IN_README) {
            if (line.contains(forbidden)) {
                problems.add(where + "points outside the project: " + forbidden);
            }
        }
        if (THE_SEED.matcher(line).find()) {
            problems.add(where + "says \"the seed\": describe the project in its own words");
        }
    }

    @Test
    void anchorsFollowGitHub() {
        assertEquals("writes-locks-and-retries", slug("Writes, locks and retries"));
        assertEquals("the-library-wallet-core", slug("The library (`wallet-core`)"));
        assertEquals("snake_case---and--20", slug("snake_case - and ≥ 2.0×"));
        assertEquals(
                Set.of("a-title", "notes", "notes-1", "notes-2"),
                anchors(List.of(
                        "# A title ##", "## Notes", "```", "# not a heading", "```", "### Notes", "#### Notes")));
    }
}

package dev.walletledger.cli.bench;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import javax.imageio.ImageIO;

/** Throughput against concurrency, one line per series, drawn with Java2D into a PNG. */
final class Chart {
    private static final int WIDTH = 960;
    private static final int HEIGHT = 540;
    private static final int LEFT = 90;
    private static final int RIGHT = 260;
    private static final int TOP = 50;
    private static final int BOTTOM = 60;
    private static final Color[] COLORS = {
        new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728),
        new Color(0x9467bd), new Color(0x8c564b), new Color(0xe377c2), new Color(0x7f7f7f)
    };

    private Chart() {}

    /** {@code series}: name to (concurrency to operations/s). */
    static void write(Path file, String title, Map<String, TreeMap<Integer, Double>> series) {
        BufferedImage image = new BufferedImage(WIDTH, HEIGHT, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
        g.setRenderingHint(RenderingHints.KEY_TEXT_ANTIALIASING, RenderingHints.VALUE_TEXT_ANTIALIAS_ON);
        g.setColor(Color.WHITE);
        g.fillRect(0, 0, WIDTH, HEIGHT);
        g.setColor(Color.BLACK);
        g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        g.drawString(title, LEFT, 30);

        List<Integer> xs = series.values().stream()
                .flatMap(m -> m.keySet().stream())
                .distinct()
                .sorted()
                .toList();
        double yMax = series.values().stream()
                .flatMap(m -> m.values().stream())
                .filter(v -> !v.isNaN())
                .mapToDouble(Double::doubleValue)
                .max()
                .orElse(1);
        yMax = niceCeiling(yMax);
        int plotWidth = WIDTH - LEFT - RIGHT;
        int plotHeight = HEIGHT - TOP - BOTTOM;

        g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        for (int tick = 0; tick <= 5; tick++) {
            double value = yMax * tick / 5;
            int y = TOP + plotHeight - (int) (plotHeight * tick / 5.0);
            g.setColor(new Color(0xdddddd));
            g.drawLine(LEFT, y, LEFT + plotWidth, y);
            g.setColor(Color.DARK_GRAY);
            g.drawString(String.format("%,.0f", value), 10, y + 4);
        }
        Map<Integer, Integer> xPosition = new LinkedHashMap<>();
        for (int i = 0; i < xs.size(); i++) {
            int x = xs.size() == 1 ? LEFT + plotWidth / 2 : LEFT + (int) ((double) plotWidth * i / (xs.size() - 1));
            xPosition.put(xs.get(i), x);
            g.drawString(Integer.toString(xs.get(i)), x - 6, TOP + plotHeight + 20);
        }
        g.drawString("concurrency (callers / connections / clients)", LEFT + plotWidth / 2 - 130, HEIGHT - 15);
        g.drawString("operations/s", 10, TOP - 10);
        g.setColor(Color.BLACK);
        g.drawRect(LEFT, TOP, plotWidth, plotHeight);

        int index = 0;
        for (Map.Entry<String, TreeMap<Integer, Double>> line : series.entrySet()) {
            Color color = COLORS[index % COLORS.length];
            boolean baseline = line.getKey().startsWith("pgbench");
            g.setColor(color);
            g.setStroke(
                    baseline
                            ? new BasicStroke(
                                    2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f, new float[] {8f, 6f}, 0f)
                            : new BasicStroke(3f));
            Integer previousX = null;
            Integer previousY = null;
            for (Map.Entry<Integer, Double> point : line.getValue().entrySet()) {
                if (point.getValue().isNaN()) {
                    continue;
                }
                int x = xPosition.get(point.getKey());
                int y = TOP + plotHeight - (int) (plotHeight * point.getValue() / yMax);
                g.fillOval(x - 4, y - 4, 8, 8);
                if (previousX != null) {
                    g.drawLine(previousX, previousY, x, y);
                }
                previousX = x;
                previousY = y;
            }
            int legendY = TOP + 20 + index * 22;
            g.drawLine(WIDTH - RIGHT + 20, legendY - 4, WIDTH - RIGHT + 50, legendY - 4);
            g.setColor(Color.BLACK);
            g.drawString(line.getKey(), WIDTH - RIGHT + 58, legendY);
            index++;
        }
        g.dispose();
        try {
            ImageIO.write(image, "png", file.toFile());
        } catch (IOException e) {
            throw new UncheckedIOException("could not write " + file, e);
        }
    }

    private static double niceCeiling(double value) {
        double magnitude = Math.pow(10, Math.floor(Math.log10(Math.max(1, value))));
        for (double step : new double[] {1, 2, 2.5, 5, 10}) {
            if (step * magnitude >= value) {
                return step * magnitude;
            }
        }
        return 10 * magnitude;
    }
}

package io.fanwire.bench.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import javax.xml.parsers.DocumentBuilder;
import javax.xml.parsers.DocumentBuilderFactory;
import javax.xml.parsers.ParserConfigurationException;

import org.junit.jupiter.api.Test;
import org.w3c.dom.Document;
import org.w3c.dom.Element;
import org.w3c.dom.NodeList;
import org.xml.sax.SAXException;

class HtmlReportTest {

    /** Charts of the sample: ping 3 percentile + throughput + connections + RSS + CPU + 2 comparison bars;
     *  echo 1 + 2; fan-out 1 + 4; http 1 + 2. */
    static final int SAMPLE_CHARTS = 9 + 3 + 5 + 3;

    private final String html = HtmlReport.render(SampleReports.realistic());

    @Test
    void isWellFormedXmlWithOneSvgPerChart() throws Exception {
        Document doc = parse(html);
        assertThat(doc.getElementsByTagName("svg").getLength()).isEqualTo(SAMPLE_CHARTS);
        assertThat(doc.getElementsByTagName("title").item(0).getTextContent())
                .isEqualTo("Fanwire bench 2026-11-23 20:00:00 UTC — FAILED");
        assertThat(sections(doc, "scenario")).containsExactly("s-ping-latency", "s-echo", "s-fanout", "s-http-publish");
    }

    @Test
    void perScenarioChartsAreTheOnesAReaderNeeds() {
        Map<String, List<String>> titles = Map.of(
                "s-ping-latency", List.of("RTT latency by percentile — 100 conns", "RTT latency by percentile — 1000 conns",
                        "RTT latency by percentile — 5000 conns", "Client throughput over time",
                        "Open connections over time", "Server resident memory over time", "Server CPU over time", "RTT latency by tier",
                        "Srv recv/s by tier"),
                "s-echo", List.of("RTT latency by percentile — 100 conns", "Client throughput over time"),
                "s-fanout", List.of("Delivery latency by percentile — 1 pub → 1000 subs", "Server resident memory over time"),
                "s-http-publish", List.of("HTTP latency by percentile — 50 conns"));
        titles.forEach((id, expected) -> {
            String section = html.substring(html.indexOf("id=\"" + id + "\""));
            section = section.substring(0, section.indexOf("</section>"));
            List<String> found = new ArrayList<>();
            Matcher m = Pattern.compile("<svg class=\"chart\"[^>]*aria-label=\"([^\"]*)\"").matcher(section);
            while (m.find()) {
                found.add(m.group(1).replace("&amp;", "&"));
            }
            assertThat(found).as(id).containsAll(expected);
        });
    }

    @Test
    void percentileChartsShowCorrectedBesideUncorrectedOnALogAxis() {
        String chart = html.substring(html.indexOf("aria-label=\"RTT latency by percentile — 5000 conns\""));
        chart = chart.substring(0, chart.indexOf("</svg>"));
        assertThat(chart).contains(">uncorrected<", "stroke-dasharray=\"6 4\"", ">99.9<", ">99.99<", ">percentile<",
                "latency (ms)");
        assertThat(chart).contains("RTT: 11.8 ms at p99</title>");
    }

    @Test
    void referencesNothingOutsideThePage() {
        assertThat(html).doesNotContainPattern("(?i)(src|href)\\s*=\\s*\"(?!#)")
                .doesNotContainPattern("(?i)url\\(").doesNotContain("<script", "<link", "@import");
    }

    @Test
    void checksComeFirstInRedWhenOneFailed() {
        assertThat(html.indexOf("class=\"verdict fail\"")).isPositive().isLessThan(html.indexOf("class=\"env\""));
        assertThat(html).contains("<span class=\"badge bad\">FAIL</span>", "<span class=\"badge ok\">PASS</span>",
                "Failed: 3 of 5 checks passed");
        assertThat(HtmlReport.render(SampleReports.minimal())).contains("class=\"verdict none\"")
                .doesNotContain("<svg");
    }

    @Test
    void problemCellsStandOutAndClosedLoopIsExplained() {
        assertThat(html).contains("<td class=\"n bad\">42</td>", "<td class=\"n bad\">0.00840%</td>")
                .contains("class=\"callout\">Closed loop: each connection waits");
    }

    @Test
    void escapesEveryText() throws Exception {
        RunReport sample = SampleReports.realistic();
        ScenarioResult hostile = new ScenarioResult("x<y", "<script>alert('x')</script> & co", "a \"quoted\" & <b>bold</b>",
                false, SampleReports.pingLatency().tiers(), List.of("</section><h1>"));
        RunReport report = new RunReport(sample.schemaVersion(), sample.startedAt(), sample.finishedAt(),
                sample.environment(), sample.target(), List.of(hostile),
                List.of(new CheckResult("p99<5ms & <b>", "x<y/100 conns", "1ms", true)));
        String page = HtmlReport.render(report);
        parse(page);
        assertThat(page).doesNotContain("<script>", "<b>").contains("&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; co");
    }

    @Test
    void writesTheSampleForPeopleToRead() throws IOException {
        Path dir = Files.createDirectories(Path.of("target", "sample-report"));
        Files.writeString(dir.resolve("report.html"), html);
    }

    static Document parse(String page) throws ParserConfigurationException, SAXException, IOException {
        DocumentBuilderFactory factory = DocumentBuilderFactory.newInstance();
        factory.setFeature("http://apache.org/xml/features/disallow-doctype-decl", false);
        factory.setExpandEntityReferences(false);
        DocumentBuilder builder = factory.newDocumentBuilder();
        builder.setErrorHandler(null);
        return builder.parse(new ByteArrayInputStream(page.getBytes(StandardCharsets.UTF_8)));
    }

    private static List<String> sections(Document doc, String cssClass) {
        List<String> ids = new ArrayList<>();
        NodeList sections = doc.getElementsByTagName("section");
        for (int i = 0; i < sections.getLength(); i++) {
            Element section = (Element) sections.item(i);
            if (section.getAttribute("class").equals(cssClass)) {
                ids.add(section.getAttribute("id"));
            }
        }
        return ids;
    }
}

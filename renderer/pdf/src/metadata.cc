#include "metadata.h"

#include <cctype>

namespace saraban::pdf {
namespace {

bool Digits(const std::string& s, size_t pos, size_t count) {
  for (size_t i = pos; i < pos + count; ++i) {
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  }
  return true;
}

// "YYYY-MM-DDTHH:MM:SS+HH:MM" or "...SSZ" to "D:YYYYMMDDHHMMSS+HH'MM'" / "...Z".
Result<std::string> PdfDate(const std::string& d) {
  const Status bad = InvalidArgument(
      "creation date must look like 2024-09-30T12:00:00+07:00, got \"" + d + "\"",
      "metadata.creation_date");
  const bool zulu = d.size() == 20 && d[19] == 'Z';
  if (!zulu && d.size() != 25) return bad;
  if (!Digits(d, 0, 4) || d[4] != '-' || !Digits(d, 5, 2) || d[7] != '-' || !Digits(d, 8, 2) ||
      d[10] != 'T' || !Digits(d, 11, 2) || d[13] != ':' || !Digits(d, 14, 2) || d[16] != ':' ||
      !Digits(d, 17, 2)) {
    return bad;
  }
  if (!zulu && ((d[19] != '+' && d[19] != '-') || !Digits(d, 20, 2) || d[22] != ':' ||
                !Digits(d, 23, 2))) {
    return bad;
  }
  auto num = [&d](size_t pos) { return (d[pos] - '0') * 10 + (d[pos + 1] - '0'); };
  if (num(5) < 1 || num(5) > 12 || num(8) < 1 || num(8) > 31 || num(11) > 23 || num(14) > 59 ||
      num(17) > 59 || (!zulu && (num(20) > 23 || num(23) > 59))) {
    return bad;
  }
  std::string out = "D:";
  out += d.substr(0, 4) + d.substr(5, 2) + d.substr(8, 2) + d.substr(11, 2) + d.substr(14, 2) +
         d.substr(17, 2);
  if (zulu) {
    out += 'Z';
  } else {
    out += d.substr(19, 3) + "'" + d.substr(23, 2) + "'";
  }
  return out;
}

// XMP date from the PDF date made above.
std::string XmpDate(const std::string& pdf_date) {
  const std::string& p = pdf_date;
  std::string out = p.substr(2, 4) + "-" + p.substr(6, 2) + "-" + p.substr(8, 2) + "T" +
                    p.substr(10, 2) + ":" + p.substr(12, 2) + ":" + p.substr(14, 2);
  if (p[16] == 'Z') return out + "Z";
  return out + p.substr(16, 3) + ":" + p.substr(20, 2);
}

void AppendEscaped(std::string& out, const std::string& s) {
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&apos;"; break;
      default: out.push_back(c);
    }
  }
}

void AppendElement(std::string& out, const char* open, const std::string& value,
                   const char* close) {
  if (value.empty()) return;
  out += open;
  AppendEscaped(out, value);
  out += close;
}

}  // namespace

Result<InfoObjects> BuildInfo(const Metadata& m, std::string producer) {
  InfoObjects info;
  info.title = m.title;
  info.author = m.author;
  info.subject = m.subject;
  info.keywords = m.keywords;
  info.creator = m.creator;
  info.producer = std::move(producer);
  if (!m.creation_date.empty()) {
    Result<std::string> date = PdfDate(m.creation_date);
    if (!date.ok()) return date.status();
    info.pdf_date = std::move(date).value();
  }
  return info;
}

std::string BuildXmp(const InfoObjects& info, const std::string& language) {
  std::string x;
  x.reserve(2048);
  x += "<?xpacket begin=\"\xEF\xBB\xBF\" id=\"W5M0MpCehiHzreSzNTczkc9d\"?>\n"
       "<x:xmpmeta xmlns:x=\"adobe:ns:meta/\">\n"
       "<rdf:RDF xmlns:rdf=\"http://www.w3.org/1999/02/22-rdf-syntax-ns#\">\n"
       "<rdf:Description rdf:about=\"\" xmlns:dc=\"http://purl.org/dc/elements/1.1/\">\n"
       "<dc:format>application/pdf</dc:format>\n";
  AppendElement(x, "<dc:title><rdf:Alt><rdf:li xml:lang=\"x-default\">", info.title,
                "</rdf:li></rdf:Alt></dc:title>\n");
  AppendElement(x, "<dc:creator><rdf:Seq><rdf:li>", info.author,
                "</rdf:li></rdf:Seq></dc:creator>\n");
  AppendElement(x, "<dc:description><rdf:Alt><rdf:li xml:lang=\"x-default\">", info.subject,
                "</rdf:li></rdf:Alt></dc:description>\n");
  AppendElement(x, "<dc:language><rdf:Bag><rdf:li>", language,
                "</rdf:li></rdf:Bag></dc:language>\n");
  x += "</rdf:Description>\n"
       "<rdf:Description rdf:about=\"\" xmlns:xmp=\"http://ns.adobe.com/xap/1.0/\">\n";
  AppendElement(x, "<xmp:CreatorTool>", info.creator, "</xmp:CreatorTool>\n");
  if (!info.pdf_date.empty()) {
    const std::string date = XmpDate(info.pdf_date);
    x += "<xmp:CreateDate>" + date + "</xmp:CreateDate>\n";
    x += "<xmp:ModifyDate>" + date + "</xmp:ModifyDate>\n";
  }
  x += "</rdf:Description>\n"
       "<rdf:Description rdf:about=\"\" xmlns:pdf=\"http://ns.adobe.com/pdf/1.3/\">\n";
  AppendElement(x, "<pdf:Producer>", info.producer, "</pdf:Producer>\n");
  AppendElement(x, "<pdf:Keywords>", info.keywords, "</pdf:Keywords>\n");
  x += "</rdf:Description>\n"
       "<rdf:Description rdf:about=\"\" xmlns:pdfaid=\"http://www.aiim.org/pdfa/ns/id/\">\n"
       "<pdfaid:part>1</pdfaid:part>\n"
       "<pdfaid:conformance>B</pdfaid:conformance>\n"
       "</rdf:Description>\n"
       "</rdf:RDF>\n"
       "</x:xmpmeta>\n"
       "<?xpacket end=\"w\"?>";
  return x;
}

}  // namespace saraban::pdf

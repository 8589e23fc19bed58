import StripeAPI
import Testing

/// Stripe's form encoding: bracket notation and byte-wise percent-encoding.
struct FormEncodingTests {
    @Test func hashesAndListsFlattenToBracketNotationInOrder() {
        var form = StripeForm()
        form.append("event_name", "api_requests")
        form.append("payload", .hash([("stripe_customer_id", "cus_1"), ("value", "42")]))
        form.append("expand", .list(["a", "b"]))
        form.append("nested", .hash([("inner", .hash([("deep", "x")]))]))
        #expect(
            form.pairs.map(\.name)
                == ["event_name", "payload[stripe_customer_id]", "payload[value]", "expand[0]", "expand[1]", "nested[inner][deep]"])
        #expect(form.encoded == "event_name=api_requests&payload%5Bstripe_customer_id%5D=cus_1&payload%5Bvalue%5D=42"
            + "&expand%5B0%5D=a&expand%5B1%5D=b&nested%5Binner%5D%5Bdeep%5D=x")
    }

    @Test func reservedSpacesAndNonASCIIArePercentEncodedAsUTF8() {
        #expect(StripeForm.percentEncode("a b&c=d+e/f?g") == "a%20b%26c%3Dd%2Be%2Ff%3Fg")
        #expect(StripeForm.percentEncode("1 × Basic") == "1%20%C3%97%20Basic")
        #expect(StripeForm.percentEncode("Az09-._~") == "Az09-._~")
        #expect(StripeForm.percentEncode("%") == "%25")
        #expect(StripeForm(["q": "ü"].map { ($0.key, .string($0.value)) }).encoded == "q=%C3%BC")
    }
}

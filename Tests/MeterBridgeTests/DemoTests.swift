import Foundation
import MeterBridgeTesting
import Testing

/// `meterbridge demo`: the end-to-end story balances in every period, with and without Stripe failing calls.
@Suite(.serialized)
struct DemoTests {
    @Test(arguments: [false, true])
    func everyPeriodBalancesAndReportingSwitchesToMeterEvents(withFaults: Bool) async throws {
        let result = try await DemoRun.run(DemoOptions(seed: 3, faults: withFaults))
        #expect(result.problems == [])
        #expect(result.periods.count == 2)
        for period in result.periods {
            #expect(period.balanced, "period \(period.period): recorded \(period.recorded), billed \(period.billed)")
        }
        #expect(result.balanced)
        #expect(result.posted == result.billed)
        #expect(result.timeline.contains { $0.meterbridge.contains("switches reporting to meter events") })
        // The boundary flushes of the legacy period send usage records, mirrored by shadow meter events.
        #expect(result.timeline.contains {
            $0.happened.hasPrefix("pre-boundary flush") && $0.meterbridge.hasPrefix("1 timer fired")
                && $0.meterbridge.contains("usage record") && $0.meterbridge.contains("shadow meter event")
        })
        // January bills through usage records (shadows are not billed), February through meter events, late usage carried.
        let (january, february) = (result.periods[0], result.periods[1])
        #expect(january.usageRecords > 0 && january.meterEvents == 0 && january.shadowMeterEvents > 0)
        #expect(february.usageRecords == 0 && february.meterEvents > 0 && february.carried > 0)
        if withFaults { #expect(result.injectedFaults > 0, "the double injected no fault") }
    }

    @Test func aSeedAlwaysTellsTheSameStory() async throws {
        let first = try await DemoRun.run(DemoOptions(seed: 11))
        let again = try await DemoRun.run(DemoOptions(seed: 11))
        let other = try await DemoRun.run(DemoOptions(seed: 12))
        #expect(first.timeline == again.timeline)
        #expect(first.periods == again.periods)
        #expect(first.posted != other.posted)
    }

    @Test func theBinaryPrintsBalancedJSONAndExitsZero() throws {
        let run = try CommandRun.run(try ServerProcess.builtBinary(), ["demo", "--json", "--seed", "4"])
        #expect(run.status == 0, "\(run.errors)")
        let result = try JSONDecoder().decode(DemoResult.self, from: Data(run.output.utf8))
        #expect(result.balanced)
        #expect(result.periods.count == 2 && result.periods.allSatisfy(\.balanced))
        #expect(result.posted == result.billed)
    }
}

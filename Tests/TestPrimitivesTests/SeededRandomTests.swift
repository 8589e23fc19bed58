import TestPrimitives
import Testing

/// SplitMix64 as published: every seeded test, fault run and demo depends on these sequences never changing.
struct SeededRandomTests {
    @Test func theSequenceOfSeed1234567IsSplitMix64s() {
        var random = SeededRandom(seed: 1_234_567)
        let values = (0..<5).map { _ in random.next() }
        #expect(values == [6_457_827_717_110_365_317, 3_203_168_211_198_807_973, 9_817_491_932_198_370_423, 4_593_380_528_125_082_431, 16_408_922_859_458_223_821])
    }

    @Test func theSameSeedDrawsTheSameHelpersValues() {
        var first = SeededRandom(seed: 42), again = SeededRandom(seed: 42)
        let draws = (0..<100).map { _ in (first.int(-5...5), first.chance(0.3)) }
        let redraws = (0..<100).map { _ in (again.int(-5...5), again.chance(0.3)) }
        #expect(draws.map(\.0) == redraws.map(\.0) && draws.map(\.1) == redraws.map(\.1))
        #expect(draws.allSatisfy { (-5...5).contains($0.0) })
        #expect(Set(draws.map(\.0)).count == 11, "every value of the range is drawn")
    }

    @Test func chanceHonoursItsBounds() {
        var random = SeededRandom(seed: 7)
        #expect((0..<1000).allSatisfy { _ in !random.chance(0) })
        #expect((0..<1000).allSatisfy { _ in random.chance(1) })
    }
}

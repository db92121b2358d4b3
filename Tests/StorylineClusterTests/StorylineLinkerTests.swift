import XCTest
import StorylineCore
@testable import StorylineCluster

/// Stories of one matter join into a storyline by the names they share; look-alike events (the
/// same kind of event, other names) stay apart; a story of one article joins the storyline it is
/// clearly nearest to, not one of two it is equally near; storylines keep their groups.
final class StorylineLinkerTests: XCTestCase {
    let linker = StorylineLinker(threshold: 0.35, attach: 0.15, attachMargin: 2, smallStory: 2)

    func story(_ names: [String], size: Int = 5, storyline: Int64? = nil) -> StorylineLinker.Story {
        StorylineLinker.Story(names: Dictionary(uniqueKeysWithValues: names.map { ($0, 3) }), size: size, storyline: storyline)
    }

    /// 40 unrelated stories, every one naming "Biden" and two names of its own (a name too common to index).
    var background: [StorylineLinker.Story] { (0..<40).map { story(["biden", "own\($0)a", "own\($0)b"]) } }

    func labels(_ stories: [StorylineLinker.Story]) -> [Int] {
        linker.link(stories, order: (0..<stories.count).map(Int32.init))
    }

    func testStepsOfOneMatterJoinAndItsTwinStaysApart() {
        let matter = [
            story(["rivera", "oakland", "alameda", "harris", "mcclymonds"]),        // the shooting
            story(["rivera", "oakland", "alameda", "harris", "okeefe"], size: 4),   // the charges
            story(["rivera", "alameda", "harris", "superior", "okeefe"]),           // the trial
        ]
        let twin = [story(["kowalski", "aurora", "denver", "arapahoe", "holmes"])]   // another shooting
        let l = labels(background + matter + twin)
        let n = background.count
        XCTAssertEqual(l[n], l[n + 1])
        XCTAssertEqual(l[n], l[n + 2])
        XCTAssertNotEqual(l[n], l[n + 3], "a look-alike event with other names stays apart")
        // The background shares only "Biden": every story alone.
        XCTAssertEqual(Set(l.prefix(n)).count, n)
    }

    func testASmallStoryJoinsOnlyAClearlyNearestStoryline() {
        let lines = [
            story(["rivera", "oakland", "alameda", "harris", "mcclymonds"]),
            story(["rivera", "oakland", "alameda", "harris", "okeefe"]),
            story(["kowalski", "aurora", "denver", "arapahoe", "holmes"]),
            story(["kowalski", "aurora", "denver", "arapahoe", "century"]),
        ]
        let n = background.count
        // An article naming the matter once among names of its own: too few shared to link, near one storyline.
        let near = story(["rivera", "courtroom", "verdict", "juror"], size: 1)
        var l = labels(background + lines + [near])
        XCTAssertEqual(l[n + 4], l[n], "a one-article story joins its clearly nearest storyline")
        // Equally near both: left alone.
        let between = story(["rivera", "kowalski", "verdict", "juror"], size: 1)
        l = labels(background + lines + [between])
        XCTAssertEqual(l[n + 4], n + 4, "equally near two storylines: alone")
        // Not small: left alone too.
        l = labels(background + lines + [story(["rivera", "courtroom", "verdict", "juror"], size: 3)])
        XCTAssertEqual(l[n + 4], n + 4)
    }

    func testStorylinesStartAsGroupsAndMergeThroughANewStory() {
        let n = background.count
        let stories = background + [
            story(["rivera", "oakland", "alameda", "harris"], storyline: 7),
            story(["zhou", "fremont", "santos", "lindqvist"], storyline: 7),      // already one storyline: stays so
            story(["rivera", "oakland", "alameda", "harris", "okeefe"], storyline: 9),
        ]
        let l = labels(stories)
        XCTAssertEqual(l[n], l[n + 1], "a storyline is never split")
        XCTAssertEqual(l[n], l[n + 2], "two storylines of one matter merge")
        // Order does not matter: the same stories in reverse give the same partition.
        let reversed = linker.link(Array(stories.reversed()), order: (0..<stories.count).map { Int32(stories.count - 1 - $0) })
        let m = stories.count - 1
        XCTAssertEqual(reversed[m - n], reversed[m - n - 2])
        XCTAssertEqual((0..<n).map { reversed[m - $0] == m - $0 }, [Bool](repeating: true, count: n))
    }
}

// SPDX-License-Identifier: MIT
pragma solidity 0.8.37;

/// A minimal ERC20 for tests: anyone may mint. `quirk` makes transfer and transferFrom answer
/// like the odd tokens in the wild: 0 true, 1 nothing (USDT), 2 false, 3 the word 2 (not a
/// bool), 4 a single byte. The move itself always happens.
contract TestToken {
    mapping(address => uint256) public balanceOf;
    mapping(address => mapping(address => uint256)) public allowance;
    uint8 public quirk;

    event Transfer(address indexed from, address indexed to, uint256 value);
    event Approval(address indexed owner, address indexed spender, uint256 value);

    function mint(address to, uint256 amount) external {
        balanceOf[to] += amount;
        emit Transfer(address(0), to, amount);
    }

    function setQuirk(uint8 _quirk) external {
        quirk = _quirk;
    }

    function approve(address spender, uint256 amount) external returns (bool) {
        allowance[msg.sender][spender] = amount;
        emit Approval(msg.sender, spender, amount);
        return true;
    }

    function transfer(address to, uint256 amount) external returns (bool) {
        _move(msg.sender, to, amount);
        return _answer();
    }

    function transferFrom(address from, address to, uint256 amount) external returns (bool) {
        allowance[from][msg.sender] -= amount;
        _move(from, to, amount);
        return _answer();
    }

    function _answer() private view returns (bool) {
        uint8 q = quirk;
        assembly ("memory-safe") {
            if eq(q, 1) { return(0, 0) }
            if eq(q, 3) {
                mstore(0, 2)
                return(0, 32)
            }
            if eq(q, 4) {
                mstore8(0, 1)
                return(0, 1)
            }
        }
        return q != 2;
    }

    function _move(address from, address to, uint256 amount) private {
        balanceOf[from] -= amount;
        balanceOf[to] += amount;
        emit Transfer(from, to, amount);
    }
}
